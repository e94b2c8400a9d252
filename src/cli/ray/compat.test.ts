// KubeRay's kubectl plugin v1.7 (ray-project/kuberay kubectl-plugin/pkg/cmd, tag v1.7.0): its
// subcommands, aliases, flags (long and short) and table columns, written out here from its sources,
// and checked against ours. Ours may add flags; none of KubeRay's may be missing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Command } from 'commander';
import {
  clusterColumns,
  clusterRows,
  nodeColumns,
  nodeRows,
  workerGroupColumns,
  workerGroupRow,
} from './get.ts';
import { registerRay } from './index.ts';
import { globalFlagNames } from './kube.ts';

/** KubeRay v1.7: command path → its flags (`name` or `name/short`). */
const kuberayFlags: Record<string, string[]> = {
  'create cluster': [
    'labels', 'annotations', 'ray-version', 'image', 'head-cpu', 'head-memory', 'head-gpu', 'head-ephemeral-storage',
    'head-ray-start-params', 'head-node-selectors', 'worker-replicas', 'worker-cpu', 'worker-memory', 'worker-gpu',
    'worker-ephemeral-storage', 'worker-tpu', 'worker-ray-start-params', 'worker-node-selectors', 'num-of-hosts',
    'autoscaler', 'file', 'dry-run', 'wait', 'timeout',
  ],
  'create workergroup': [
    'ray-cluster/c', 'ray-version', 'image', 'worker-replicas', 'num-of-hosts', 'worker-min-replicas',
    'worker-max-replicas', 'worker-cpu', 'worker-gpu', 'worker-tpu', 'worker-memory', 'worker-ray-start-params',
    'worker-node-selectors',
  ],
  'get cluster': ['all-namespaces/A'],
  'get node': ['ray-cluster/c', 'all-namespaces/A'],
  'get workergroup': ['ray-cluster/c', 'all-namespaces/A'],
  'get token': [],
  'scale cluster': ['worker-group/w', 'replicas/r', 'min-replicas', 'max-replicas'],
  delete: ['yes/y'],
  log: ['out-dir', 'node-type', 'link'],
  session: ['verbose/v'],
  'job submit': [
    'filename/f', 'address', 'submission-id', 'runtime-env', 'working-dir', 'headers', 'runtime-env-json', 'verify',
    'entrypoint-resources', 'metadata-json', 'log-style', 'log-color', 'entrypoint-num-cpus', 'entrypoint-num-gpus',
    'entrypoint-memory', 'no-wait', 'name', 'ray-version', 'image', 'head-cpu', 'head-memory', 'head-gpu',
    'worker-replicas', 'worker-cpu', 'worker-memory', 'worker-gpu', 'dry-run', 'verbose/v', 'head-node-selectors',
    'worker-node-selectors', 'ttl-seconds-after-finished',
  ],
  version: [],
}; // prettier-ignore

/** cli-runtime's ConfigFlags, which KubeRay adds to its root command. */
const kuberayGlobalFlags = [
  'as', 'as-group', 'as-uid', 'cache-dir', 'certificate-authority', 'client-certificate', 'client-key', 'cluster',
  'context', 'disable-compression', 'insecure-skip-tls-verify', 'kubeconfig', 'namespace/n', 'request-timeout',
  'server/s', 'tls-server-name', 'token', 'user',
]; // prettier-ignore

const kuberayAliases: Record<string, string[]> = {
  get: ['list'],
  'get cluster': ['clusters'],
  'get node': ['nodes'],
  'get workergroup': ['workergroups'],
  log: ['logs'],
};

const kuberayColumns = {
  cluster: ['Name', 'Namespace', 'Desired Workers', 'Available Workers', 'CPUs', 'GPUs', 'TPUs', 'Memory', 'Condition', 'Status', 'Age'],
  node: ['Name', 'CPUs', 'GPUs', 'TPUs', 'Memory', 'Cluster', 'Type', 'Worker Group', 'Age'],
  workergroup: ['Name', 'Min', 'Max', 'Replicas', 'CPUs', 'GPUs', 'TPUs', 'Memory', 'Cluster'],
}; // prettier-ignore

function plugin(): Command {
  const p = new Command('kubectl ray');
  registerRay(p);
  return p;
}

function find(root: Command, path: string): Command {
  let c = root;
  for (const w of path.split(' ')) {
    const next = c.commands.find((x) => x.name() === w);
    assert.ok(next, `command "${path}" exists (missing "${w}")`);
    c = next;
  }
  return c;
}

function flagsOf(c: Command): Set<string> {
  return new Set(
    c.options.flatMap((o) => {
      const long = o.long!.replace(/^--/, '');
      return o.short ? [long, `${long}/${o.short.replace(/^-/, '')}`] : [long];
    }),
  );
}

describe("compatibility with KubeRay's kubectl plugin v1.7", () => {
  const root = plugin();

  it('has every subcommand with every KubeRay flag (long and short names)', () => {
    for (const [path, flags] of Object.entries(kuberayFlags)) {
      const have = flagsOf(find(root, path));
      const missing = flags.filter((f) => !have.has(f));
      assert.deepEqual(missing, [], `${path}: flags missing`);
    }
  });

  it("has kubectl's global connection flags", () => {
    const have = flagsOf(root);
    assert.deepEqual(
      kuberayGlobalFlags.filter((f) => !have.has(f)),
      [],
    );
    assert.deepEqual([...globalFlagNames].sort(), kuberayGlobalFlags.map((f) => f.split('/')[0]!).sort());
  });

  it('has the same aliases', () => {
    for (const [path, aliases] of Object.entries(kuberayAliases))
      for (const a of aliases) assert.ok(find(root, path).aliases().includes(a), `${path} alias ${a}`);
  });

  it('prints the same columns', () => {
    assert.deepEqual(clusterColumns, kuberayColumns.cluster);
    assert.deepEqual(nodeColumns, kuberayColumns.node);
    assert.deepEqual(workerGroupColumns, kuberayColumns.workergroup);
    // The row builders fill exactly those cells (plus Namespace first with --all-namespaces).
    const now = Date.parse('2026-01-01T00:10:00Z');
    const cluster = {
      apiVersion: 'ray.io/v1',
      kind: 'RayCluster',
      metadata: { name: 'c', namespace: 'ns', creationTimestamp: '2026-01-01T00:00:00Z' },
      spec: {
        headGroupSpec: { rayStartParams: {}, template: { spec: { containers: [] } } },
        workerGroupSpecs: [
          {
            groupName: 'g',
            replicas: 2,
            minReplicas: 0,
            maxReplicas: 2147483647,
            rayStartParams: {},
            template: {
              spec: {
                containers: [
                  {
                    name: 'w',
                    resources: { requests: { cpu: '2', memory: '4Gi' }, limits: { 'nvidia.com/gpu': '1' } },
                  },
                ],
              },
            },
          },
        ],
      },
      status: {
        state: 'ready',
        desiredWorkerReplicas: 2,
        availableWorkerReplicas: 2,
        desiredCPU: '5',
        desiredGPU: '2',
        desiredTPU: '0',
        desiredMemory: '10Gi',
        conditions: [
          {
            type: 'HeadPodReady',
            status: 'True',
            reason: 'x',
            message: '',
            lastTransitionTime: '2026-01-01T00:00:00Z',
          },
        ],
      },
    } as never;
    assert.deepEqual(clusterRows([cluster], now), [
      ['c', 'ns', 2, 2, '5', '2', '0', '10Gi', 'HeadPodReady', 'ready', '10m'],
    ]);
    assert.deepEqual(workerGroupRow(cluster, (cluster as { spec: { workerGroupSpecs: never[] } }).spec.workerGroupSpecs[0]!, 1, true), [
      'ns', 'g', '0', '2147483647', '1/2', '4', '2', '0', '8Gi', 'c',
    ]); // prettier-ignore
    const pod = {
      metadata: {
        name: 'c-head',
        namespace: 'ns',
        creationTimestamp: '2026-01-01T00:09:00Z',
        labels: { 'ray.io/cluster': 'c', 'ray.io/node-type': 'head', 'ray.io/group': 'headgroup' },
      },
      spec: { containers: [{ resources: { requests: { cpu: '1000m', memory: '2048Mi' } } }] },
    };
    assert.deepEqual(nodeRows([pod], false, now), [
      ['c-head', '1', '0', '0', '2Gi', 'c', 'head', 'headgroup', '60s'],
    ]);
    assert.equal(nodeRows([pod], true, now)[0]![0], 'ns');
  });
});
