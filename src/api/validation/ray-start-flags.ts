// The options `ray start` accepts in Ray 2.58 (read from the installed `ray.scripts.scripts.start`
// click command), without the dashes. A rayStartParams key outside this list makes `ray start` exit
// with "No such option" — on the head, after it may already have started GCS.

export const RAY_START_FLAGS: ReadonlySet<string> = new Set([
  'node-ip-address',
  'address',
  'port',
  'node-name',
  'redis-username',
  'redis-password',
  'redis-shard-ports',
  'object-manager-port',
  'node-manager-port',
  'min-worker-port',
  'max-worker-port',
  'worker-port-list',
  'ray-client-server-port',
  'memory',
  'object-store-memory',
  'num-cpus',
  'num-gpus',
  'resources',
  'include-dashboard',
  'dashboard-host',
  'dashboard-port',
  'dashboard-agent-listen-port',
  'dashboard-agent-grpc-port',
  'runtime-env-agent-port',
  'block',
  'plasma-directory',
  'object-spilling-directory',
  'autoscaling-config',
  'no-redirect-output',
  'temp-dir',
  'system-config',
  'enable-object-reconstruction',
  'metrics-export-port',
  'no-monitor',
  'tracing-startup-hook',
  'ray-debugger-external',
  'disable-usage-stats',
  'labels',
  'labels-file',
  'include-log-monitor',
  'enable-resource-isolation',
  'system-reserved-cpu',
  'system-reserved-memory',
  'cgroup-path',
  'proxy-server-url',
  'log-style',
  'log-color',
  'verbose',
]);

/** Edit distance, for "did you mean" (keys are short). */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** The flag a mistyped key most likely meant (`num_cpus`, `numCpus`, `num-cpu` → num-cpus). */
export function closestFlag(key: string): string | undefined {
  const norm = key
    .replace(/^-+/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replaceAll('_', '-')
    .toLowerCase();
  if (RAY_START_FLAGS.has(norm)) return norm;
  let best: string | undefined;
  let bestD = Infinity;
  for (const f of RAY_START_FLAGS) {
    const d = distance(norm, f);
    if (d < bestD) [best, bestD] = [f, d];
  }
  return bestD <= Math.max(2, Math.floor(norm.length / 4)) ? best : undefined;
}
