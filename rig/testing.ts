// Helpers for *.int.test.ts / *.e2e.test.ts files.
//
//   const rig = await useRig();
//   const ns = await newNamespace(rig, 'informer');
//   const kc = kubeConfig(rig);            // src/runtime/kubeconfig.ts, admin credentials
//
// useRig() attaches to the shared rig of the test run (KURAY_RIG_STATE, set by scripts/test.ts)
// or, when a file runs alone, starts a private rig that is stopped when the process ends.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { KubeConfig } from '../src/runtime/kubeconfig.ts';
import { attachRig, startRig, type Rig, type RigOptions } from './harness.ts';

export type { Rig } from './harness.ts';

let current: Promise<Rig> | undefined;

/** The rig for this test process (shared when available). Its stop() is a no-op on the shared rig. */
export function useRig(): Promise<Rig> {
  current ??= (async () => {
    const state = process.env.KURAY_RIG_STATE;
    if (state) {
      const rig = attachRig(state);
      return { ...rig, stop: () => Promise.resolve() };
    }
    return privateRig();
  })();
  return current;
}

/** A rig of this process alone (for tests that restart or break components). Stopped at exit. */
export async function privateRig(opts: RigOptions = {}): Promise<Rig> {
  const rig = await startRig(opts);
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopping ??= rig.stop());
  // beforeExit: the loop is idle (tests done) and async work is still allowed; 'exit' in the
  // harness is the synchronous fallback.
  process.once('beforeExit', () => void stop());
  return { ...rig, stop };
}

/** Creates a namespace `<prefix>-<random>` and waits until its default ServiceAccount exists. */
export async function newNamespace(rig: Rig, prefix: string): Promise<string> {
  const base = prefix
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, 40)
    .replace(/-+$/, '');
  const name = `${base}-${randomBytes(3).toString('hex')}`;
  const manifest = JSON.stringify({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { 'kuray.io/test': 'true' } },
  });
  const r = await rig.kubectl(['create', '-f', '-'], { input: manifest });
  if (r.code !== 0) throw new Error(`newNamespace: ${r.stderr.trim()}`);
  // Pods are rejected by the ServiceAccount admission plugin until the SA controller has run.
  const deadline = Date.now() + 30_000;
  for (;;) {
    const sa = await rig.kubectl(['get', 'serviceaccount', 'default', '-n', name, '-o', 'name']);
    if (sa.code === 0) return name;
    if (Date.now() > deadline)
      throw new Error(`newNamespace: no default ServiceAccount in ${name} after 30s`);
    await sleep(200);
  }
}

/** A KubeConfig (src/runtime/kubeconfig.ts) with the rig's admin credentials. */
export function kubeConfig(rig: Rig): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(rig.kubeconfigPath);
  return kc;
}
