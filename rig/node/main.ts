// `node rig/node/main.ts --kubeconfig K --name N --cpu 16 --memory 48Gi [--label k=v]… [--gpu n]`
// Runs the local node in the foreground until SIGTERM/SIGINT (the rig's `real` profile starts it).
import { parseArgs } from 'node:util';
import { startLocalNode } from './node.ts';

const { values } = parseArgs({
  options: {
    kubeconfig: { type: 'string', default: process.env.KUBECONFIG },
    name: { type: 'string', default: 'kuray-local' },
    cpu: { type: 'string', default: '16' },
    memory: { type: 'string', default: '48Gi' },
    pods: { type: 'string', default: '110' },
    gpu: { type: 'string' },
    label: { type: 'string', multiple: true, default: [] },
    'state-dir': { type: 'string' },
    'pod-net': { type: 'string' },
  },
});
if (!values.kubeconfig) throw new Error('local node: --kubeconfig (or $KUBECONFIG) is required');
const labels = Object.fromEntries(
  values.label.map((l) => {
    const i = l.indexOf('=');
    if (i <= 0) throw new Error(`local node: --label ${l}: expected key=value`);
    return [l.slice(0, i), l.slice(i + 1)];
  }),
);
const capacity: Record<string, string> = { cpu: values.cpu, memory: values.memory, pods: values.pods };
if (values.gpu) capacity['nvidia.com/gpu'] = values.gpu;
const node = await startLocalNode({
  kubeconfig: values.kubeconfig,
  name: values.name,
  capacity,
  labels,
  ...(values['state-dir'] ? { stateDir: values['state-dir'] } : {}),
  ...(values['pod-net'] ? { podNet: Number(values['pod-net']) } : {}),
});
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
  process.once(sig, () => {
    void node.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`local node: stop failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  });
}
