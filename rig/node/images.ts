// What the local node runs for an image: it pulls none. rayproject/ray* run from the project's Ray
// venv (env.ts isRayImage); `kuray-operator` (any registry, any tag: the chart's image) runs the
// repository's built operator as the Dockerfile packs it — `node dist/src/cli/main.js`, CMD
// `operator --metrics-addr=:8080`, its ENV; everything else runs host tools with CMD `bash`.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { OPERATOR_NODE_FLAGS } from '../../src/operator/nodeFlags.ts';
import { isRayImage } from './env.ts';

export interface ImageConfig {
  /** The image's ENTRYPOINT and CMD (a container's `command` replaces the first, `args` the second). */
  entrypoint: readonly string[];
  cmd: readonly string[];
  /** The image's ENV (the pod's env wins). */
  env: Readonly<Record<string, string>>;
  /**
   * HOME is the pod's own directory, not the host user's: an image's home holds no ~/.kube/config,
   * and the operator must find its in-cluster config, not the developer's kubeconfig.
   */
  ownHome?: boolean;
}

/** The image is "not present": the node says so instead of running something else. */
export class ImageError extends Error {
  readonly reason = 'ErrImageNeverPull';
}

const repoRoot = join(import.meta.dirname, '..', '..');
export const operatorEntrypoint = join(repoRoot, 'dist', 'src', 'cli', 'main.js');

export function isOperatorImage(image: string | undefined): boolean {
  return /^(?:[\w.-]+(?::\d+)?\/)*kuray-operator(?::[\w.-]+)?(?:@sha256:[0-9a-f]+)?$/.test(image ?? '');
}

const shell: ImageConfig = { entrypoint: [], cmd: ['bash'], env: {} };

export function imageConfig(image: string | undefined): ImageConfig {
  if (isRayImage(image)) return shell; // rayproject/ray: no ENTRYPOINT, CMD bash
  if (!isOperatorImage(image)) return shell;
  if (!existsSync(operatorEntrypoint))
    throw new ImageError(
      `image ${image} is the repository's built operator (${operatorEntrypoint}), which does not exist: run \`npm run build\``,
    );
  return {
    entrypoint: [process.execPath, operatorEntrypoint],
    cmd: ['operator', '--metrics-addr=:8080'],
    // The Dockerfile's ENV (src/operator/nodeFlags.ts says why).
    env: { NODE_ENV: 'production', NODE_OPTIONS: OPERATOR_NODE_FLAGS.join(' ') },
    ownHome: true,
  };
}
