// The rig shared by one `npm test` run: scripts/test.ts starts it before the integration and e2e
// files and passes its env (KUBECONFIG, KURAY_RIG_STATE, …) to them; each file attaches through
// rig/testing.ts `useRig()` and works in its own namespace.
import { startRig } from './harness.ts';

export async function startSharedRig(): Promise<{ env: Record<string, string>; stop(): Promise<void> }> {
  const rig = await startRig({
    name: `shared-${process.pid}`,
    profile: process.env.KURAY_RIG_PROFILE ?? 'default',
  });
  return { env: rig.env, stop: () => rig.stop() };
}
