// `kubectl ray version`: the plugin's version and the operator's, read from the image tag of the
// Deployment labelled app.kubernetes.io/name=kuberay-operator (or kuberay) in any namespace.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { gvr, type KubeObject } from '../../runtime/resources.ts';
import { stdio, withKube, type Io } from './common.ts';
import type { Kube } from './kube.ts';

const Deployments = gvr('apps', 'v1', 'deployments', 'Deployment');

export function pluginVersion(): string {
  const pkg = JSON.parse(
    readFileSync(join(import.meta.dirname, '..', '..', '..', 'package.json'), 'utf8'),
  ) as {
    version: string;
  };
  return pkg.version;
}

/** The tag of an image reference (`repo:tag`, `repo@sha256:…` → the digest, `repo:tag@sha256:…` → both). */
export function imageTag(image: string): string {
  const at = image.indexOf('@');
  const name = at < 0 ? image : image.slice(0, at);
  const digest = at < 0 ? '' : image.slice(at + 1);
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  const tag = colon > slash ? name.slice(colon + 1) : '';
  if (tag && digest) return `${tag}@${digest}`;
  return tag || digest || 'latest';
}

async function operatorVersion(kube: Kube): Promise<string> {
  const list = await kube.client.list<
    KubeObject & { spec?: { template?: { spec?: { containers?: { image?: string }[] } } } }
  >(Deployments, undefined, { labelSelector: 'app.kubernetes.io/name in (kuberay-operator,kuberay)' });
  const d = list.items[0];
  if (!d) throw new Error('no KubeRay operator deployments found in any namespace');
  const image = d.spec?.template?.spec?.containers?.[0]?.image;
  if (!image) throw new Error('no containers found in KubeRay operator deployment');
  return imageTag(image);
}

export function registerVersion(parent: Command, io: Io = stdio): void {
  parent
    .command('version')
    .description('Output the version of the Ray kubectl plugin and KubeRay operator')
    .action(async (_f: unknown, cmd: Command) => {
      await withKube(
        cmd,
        async (kube) => {
          io.out.write(`kubectl ray plugin version: ${pluginVersion()}\n`);
          try {
            io.out.write(`KubeRay operator version: ${await operatorVersion(kube)}\n`);
          } catch (e) {
            io.out.write(
              `warning: KubeRay operator installation cannot be found: ${(e as Error).message}. Did you install it with the name "kuberay-operator"?\n`,
            );
          }
        },
        io,
      );
    });
}
