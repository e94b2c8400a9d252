import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { EnvError } from './env.ts';
import type { Pod, Volume } from './types.ts';
import {
  hostPathOf,
  materialize,
  mountTable,
  prepareVolumes,
  refreshVolumes,
  type VolumeLookups,
} from './volumes.ts';

const lookups: VolumeLookups = {
  configMap: (_ns, name) =>
    Promise.resolve(
      name === 'code'
        ? { 'sample_code.py': Buffer.from('print(1)\n'), 'sub.txt': Buffer.from('s') }
        : undefined,
    ),
  secret: (_ns, name) => Promise.resolve(name === 'creds' ? { password: Buffer.from('hunter2') } : undefined),
  token: (pod, audience, seconds) => Promise.resolve(`token-for-${pod.metadata.name}-${audience}-${seconds}`),
};

function pod(volumes: Volume[]): Pod {
  return {
    metadata: { name: 'p', namespace: 'ns', labels: { app: 'x' } },
    spec: {
      containers: [
        {
          name: 'c',
          resources: { limits: { cpu: '2' } },
          volumeMounts: [
            { name: 'code', mountPath: '/home/ray/samples' },
            { name: 'creds', mountPath: '/etc/creds/password', subPath: 'password' },
          ],
        },
      ],
      volumes,
    },
  };
}
const ctx = (p: Pod) => ({ pod: p, podIP: '127.1.2.3', hostIP: '127.0.0.1', nodeAllocatable: { cpu: '16' } });

describe('local node volumes', () => {
  it('configMap: every key as a file, or only the selected items with their paths and modes', async () => {
    const all = await materialize({ name: 'code', configMap: { name: 'code' } }, lookups, ctx(pod([])));
    assert.deepEqual(
      all.kind === 'files' ? all.files.map((f) => [f.path, f.content.toString(), f.mode]) : all,
      [
        ['sample_code.py', 'print(1)\n', 0o644],
        ['sub.txt', 's', 0o644],
      ],
    );
    const some = await materialize(
      {
        name: 'code',
        configMap: { name: 'code', items: [{ key: 'sub.txt', path: 'a/b.txt', mode: 0o600 }] },
      },
      lookups,
      ctx(pod([])),
    );
    assert.deepEqual(some.kind === 'files' ? some.files.map((f) => [f.path, f.mode]) : some, [
      ['a/b.txt', 0o600],
    ]);
  });

  it('a missing ConfigMap or Secret blocks the container unless optional; a path may not leave the volume', async () => {
    await assert.rejects(
      materialize({ name: 'x', configMap: { name: 'nope' } }, lookups, ctx(pod([]))),
      (e: unknown) => e instanceof EnvError && /configMap "nope" not found/.test(e.message),
    );
    const opt = await materialize(
      { name: 'x', secret: { secretName: 'nope', optional: true } },
      lookups,
      ctx(pod([])),
    );
    assert.deepEqual(opt, { kind: 'files', files: [] });
    await assert.rejects(
      materialize(
        { name: 'x', configMap: { name: 'code', items: [{ key: 'sub.txt', path: '../../etc/passwd' }] } },
        lookups,
        ctx(pod([])),
      ),
      /must be relative and stay inside the volume/,
    );
  });

  it('projected: configMap, secret, downward API and a service-account token with its audience', async () => {
    const p = pod([]);
    const m = await materialize(
      {
        name: 'proj',
        projected: {
          sources: [
            { configMap: { name: 'code', items: [{ key: 'sub.txt', path: 'sub' }] } },
            { secret: { name: 'creds' } },
            {
              downwardAPI: {
                items: [{ path: 'labels-app', fieldRef: { fieldPath: "metadata.labels['app']" } }],
              },
            },
            {
              downwardAPI: {
                items: [{ path: 'cpu', resourceFieldRef: { containerName: 'c', resource: 'limits.cpu' } }],
              },
            },
            { serviceAccountToken: { path: 'token', audience: 'vault', expirationSeconds: 600 } },
          ],
        },
      },
      lookups,
      ctx(p),
    );
    assert.equal(m.kind, 'files');
    const files = Object.fromEntries(
      m.kind === 'files' ? m.files.map((f) => [f.path, f.content.toString()]) : [],
    );
    assert.deepEqual(files, {
      sub: 's',
      password: 'hunter2',
      'labels-app': 'x',
      cpu: '2',
      token: 'token-for-p-vault-600',
    });
  });

  it('prepareVolumes writes the files; mountTable maps each mountPath (subPath included); others are reported', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kuray-vol-'));
    try {
      const p = pod([
        { name: 'code', configMap: { name: 'code', defaultMode: 0o755 } },
        { name: 'creds', secret: { secretName: 'creds' } },
        { name: 'scratch', emptyDir: {} },
        { name: 'data', persistentVolumeClaim: { claimName: 'pvc' } },
      ]);
      const warnings: string[] = [];
      const dirs = await prepareVolumes(dir, lookups, ctx(p), (m) => warnings.push(m));
      assert.equal(readFileSync(join(dir, 'volumes/code/sample_code.py'), 'utf8'), 'print(1)\n');
      assert.equal(statSync(join(dir, 'volumes/code/sample_code.py')).mode & 0o777, 0o755);
      assert.ok(statSync(join(dir, 'volumes/scratch')).isDirectory());
      assert.deepEqual(warnings, [
        'volume data: persistentVolumeClaim volumes are not mounted by the local node',
      ]);
      const table = mountTable(p.spec.containers[0]!, dirs);
      assert.equal(
        table,
        `/home/ray/samples=${join(dir, 'volumes/code')}\n/etc/creds/password=${join(dir, 'volumes/creds/password')}`,
      );
      assert.equal(
        hostPathOf('/home/ray/samples/sample_code.py', table),
        join(dir, 'volumes/code/sample_code.py'),
      );
      assert.equal(hostPathOf('/home/ray/other', table), '/home/ray/other');
      assert.equal(hostPathOf('/home/ray/samplesX', table), '/home/ray/samplesX');
      const shm = {
        name: 'c',
        volumeMounts: [
          { name: 'scratch', mountPath: '/dev/shm' },
          { name: 'code', mountPath: '/home/ray/samples' },
        ],
      };
      assert.equal(
        mountTable(shm, dirs, ['/dev/shm/kuray-rig-x/node']),
        `/home/ray/samples=${join(dir, 'volumes/code')}`,
        "a mount over the node's own directories is left out",
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('secret and configMap volumes follow their objects: changed files rewritten, missing objects keep the last content', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kuray-vol-refresh-'));
    try {
      const p = pod([
        { name: 'creds', secret: { secretName: 'creds' } },
        { name: 'code', configMap: { name: 'code' } },
      ]);
      await prepareVolumes(dir, lookups, ctx(p), () => undefined);
      assert.deepEqual(await refreshVolumes(dir, lookups, ctx(p)), [], 'nothing changed');
      let password: string | undefined = 'rotated';
      const later: VolumeLookups = {
        ...lookups,
        secret: () =>
          Promise.resolve(password === undefined ? undefined : { password: Buffer.from(password) }),
      };
      const file = join(dir, 'volumes', 'creds', 'password');
      assert.deepEqual(await refreshVolumes(dir, later, ctx(p)), [file]);
      assert.equal(readFileSync(file, 'utf8'), 'rotated');
      password = undefined;
      assert.deepEqual(await refreshVolumes(dir, later, ctx(p)), []);
      assert.equal(readFileSync(file, 'utf8'), 'rotated');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
