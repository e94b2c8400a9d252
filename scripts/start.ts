// `npm start`: the playground. Brings up the `real` rig (control plane + the local node running pods
// as processes), the Kuray operator, and the seed's basic RayCluster (1 head + 3 workers) with real
// Ray 2.58; waits until Ray reports every node; prints `ray status`, the dashboard address and how
// to submit a job; cleans everything up on Ctrl-C.
//
// First run builds what is missing (control-plane binaries: minutes; the Ray venv: minutes).
// Options: --file <RayCluster yaml> (default the seed's 01-basic.yaml), --namespace <ns> (default
// "playground"), --keep-going-timeout <s>. KURAY_NODE_CPU / KURAY_NODE_MEMORY size the local node.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { startRig, type Rig } from '../rig/harness.ts';
import { ensureRayVenv } from '../rig/ray/venv.ts';
import { clusterPods, isHead, rayStatus, waitClusterReady, waitNodeReady } from '../rig/node/testing.ts';
import { parseYamlStream } from '../src/util/yaml.ts';
import { seedFile } from '../src/testing/seeds.ts';

const root = join(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    file: { type: 'string', default: seedFile('01-basic.yaml') },
    namespace: { type: 'string', default: 'playground' },
    'timeout-seconds': { type: 'string', default: '900' },
  },
});
const ns = values.namespace;
const say = (m: string) => process.stdout.write(m + '\n');

interface ClusterDoc {
  metadata: { name: string; namespace?: string };
  spec: {
    headGroupSpec: {
      template: { spec: { containers: { resources?: Record<string, Record<string, string>> }[] } };
    };
    workerGroupSpecs?: {
      replicas?: number;
      template: { spec: { containers: { resources?: Record<string, Record<string, string>> }[] } };
    }[];
  };
}

// The basic cluster requests 4 × (1 CPU, 2Gi): any machine with ~8 GiB runs it; Ray's own
// resources (num-cpus, memory in rayStartParams) are logical and stay as written. On a machine
// with less memory the pod requests are halved so the local node (sized to the machine) can fit them.
function overlay(doc: ClusterDoc): string[] {
  const notes: string[] = [];
  const gib = totalmem() / 1024 ** 3;
  if (gib < 8) {
    const halve = (c: { resources?: Record<string, Record<string, string>> }) => {
      if (c.resources?.requests) c.resources.requests = { cpu: '500m', memory: '1Gi' };
    };
    doc.spec.headGroupSpec.template.spec.containers.forEach(halve);
    for (const g of doc.spec.workerGroupSpecs ?? []) g.template.spec.containers.forEach(halve);
    notes.push(`this machine has ${gib.toFixed(1)} GiB: pod requests lowered to 500m / 1Gi`);
  }
  return notes;
}

let rig: Rig | undefined;
let operator: ReturnType<typeof spawn> | undefined;
let cleaning: Promise<void> | undefined;
const cleanup = (): Promise<void> =>
  (cleaning ??= (async () => {
    say('\nplayground: stopping (operator, Ray pods, control plane)…');
    if (operator?.pid && operator.exitCode === null) {
      try {
        process.kill(-operator.pid, 'SIGTERM');
      } catch {
        /* gone */
      }
    }
    await rig?.stop();
    say('playground: stopped; nothing left running.');
  })());
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(sig, () => {
    void cleanup().then(() => process.exit(0));
  });
}

try {
  say(`playground: ${availableParallelism()} CPUs, ${(totalmem() / 1024 ** 3).toFixed(1)} GiB memory`);
  say('playground: preparing the Ray venv (first run installs ray[default,serve]==2.58.0)…');
  await ensureRayVenv();
  say('playground: starting the control plane and the local node (first run builds the binaries)…');
  rig = await startRig({ profile: 'real', name: 'playground', log: (m) => say(m) });
  await waitNodeReady(rig);
  operator = spawn(
    process.execPath,
    [
      join(root, 'src/cli/main.ts'),
      'operator',
      '--kubeconfig',
      rig.kubeconfigPath,
      '--watch-namespace',
      ns,
      '--metrics-addr',
      '0',
      '--log-level',
      'warn',
    ],
    { stdio: ['ignore', 'inherit', 'inherit'], detached: true, env: { ...process.env, ...rig.env } },
  );
  const created = await rig.kubectl(['create', 'namespace', ns]);
  if (created.code !== 0 && !created.stderr.includes('AlreadyExists')) throw new Error(created.stderr);
  const doc = parseYamlStream(readFileSync(values.file, 'utf8'), values.file)[0]!.value as ClusterDoc;
  doc.metadata.namespace = ns;
  for (const n of overlay(doc)) say(`playground: ${n}`);
  const applied = await rig.kubectl(['apply', '--server-side', '-f', '-'], { input: JSON.stringify(doc) });
  if (applied.code !== 0) throw new Error(`applying ${values.file}: ${applied.stderr}`);
  const name = doc.metadata.name;
  const want = 1 + (doc.spec.workerGroupSpecs ?? []).reduce((a, g) => a + (g.replicas ?? 0), 0);
  say(`playground: RayCluster ${ns}/${name} created; waiting for ${want} Ray pods (a minute or two)…`);
  const timeoutMs = Number(values['timeout-seconds']) * 1000;
  await waitClusterReady(rig, ns, name, want, timeoutMs);
  const head = (await clusterPods(rig, ns, name)).find(isHead)!;
  let status = await rayStatus(rig, ns, head);
  const deadline = Date.now() + timeoutMs;
  while (status.nodes < want && Date.now() < deadline) {
    await sleep(3000);
    status = await rayStatus(rig, ns, head);
  }
  const ip = head.status!.podIP!;
  const venv = process.env.KURAY_RAY_VENV ?? join(root, '.venv', 'ray');
  say('\n' + status.text.trim());
  say(`
Ray ${status.nodes}/${want} nodes up.
  Dashboard:   http://${ip}:8265
  Submit a job:
    ${venv}/bin/ray job submit --address http://${ip}:8265 -- python -c "import ray; ray.init(); print(ray.cluster_resources())"
  Kubernetes:  export KUBECONFIG=${rig.kubeconfigPath}   (kubectl is in ${join(rig.dir, 'bin')})
               kubectl -n ${ns} get pods -o wide; kubectl -n ${ns} logs ${head.metadata.name}

Press Ctrl-C to stop everything.`);
  await new Promise(() => undefined);
} catch (err) {
  process.stderr.write(`playground: ${err instanceof Error ? err.message : String(err)}\n`);
  await cleanup();
  process.exit(1);
}
