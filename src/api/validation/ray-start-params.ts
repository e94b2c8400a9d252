// rayStartParams become `ray start --key=value` flags. Ray parses most of them as click `int`, so a
// value Ray refuses makes the container exit at start (and on a head, after GCS already started).
// Quantities in memory/object-store-memory are converted to bytes by Kuray (as the guide writes them).
import { parseQuantity } from '../quantity.ts';
import { at, type Report } from './issue.ts';

const INT_PARAMS = ['num-cpus', 'num-gpus'];
const BYTE_PARAMS = ['memory', 'object-store-memory'];
const PORT_PARAMS = [
  'port',
  'dashboard-port',
  'metrics-export-port',
  'dashboard-agent-listen-port',
  'dashboard-agent-grpc-port',
  'ray-client-server-port',
  'node-manager-port',
  'object-manager-port',
  'runtime-env-agent-port',
  'min-worker-port',
  'max-worker-port',
  'gcs-server-port',
];

export function checkRayStartParams(
  p: string,
  params: Record<string, string> | undefined,
  role: 'head' | 'worker',
  r: Report,
): void {
  if (!params) return;
  for (const k of INT_PARAMS) {
    const v = params[k];
    if (typeof v !== 'string') continue;
    if (!/^\d+$/.test(v.trim())) {
      r.error(
        at(p, k),
        `${k} must be a whole number, got ${JSON.stringify(v)}: ray start --${k} takes an integer`,
        `use e.g. "2"; fractional CPUs are not possible for a Ray node (omit ${k} to derive it from the container's limits)`,
      );
    }
  }
  for (const k of BYTE_PARAMS) {
    const v = params[k];
    if (typeof v !== 'string') continue;
    try {
      const qv = parseQuantity(v.trim());
      if (qv.sign() <= 0)
        r.error(
          at(p, k),
          `${k} must be positive, got ${JSON.stringify(v)}`,
          'use e.g. "4Gi" or a number of bytes',
        );
    } catch {
      r.error(
        at(p, k),
        `${k} ${JSON.stringify(v)} is neither a number of bytes nor a Kubernetes quantity`,
        'use e.g. "4Gi", "8G" or "4294967296" (suffixes are case-sensitive: Gi, not GB)',
      );
    }
  }
  for (const k of PORT_PARAMS) {
    const v = params[k];
    if (typeof v !== 'string') continue;
    const n = Number(v);
    if (!/^\d+$/.test(v.trim()) || n < 1 || n > 65535) {
      r.error(at(p, k), `${k} must be a port number 1-65535, got ${JSON.stringify(v)}`, 'use e.g. "8080"');
    } else if (k === 'metrics-export-port' && n >= 10002 && n <= 19999) {
      r.error(
        at(p, k),
        `metrics-export-port ${n} is inside Ray's worker port range 10002-19999; Ray refuses to start`,
        'use a port outside that range, e.g. 8080',
      );
    }
  }
  const res = params.resources;
  if (typeof res === 'string') {
    const text = res.trim().replace(/^'(.*)'$/s, '$1');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      r.error(
        at(p, 'resources'),
        `resources must be a JSON object, got ${JSON.stringify(res)}`,
        `use e.g. '{"custom_resource": 1}'`,
      );
    } else {
      for (const [name, val] of Object.entries(parsed)) {
        if (typeof val !== 'number' || !Number.isInteger(val) || val < 0) {
          r.error(
            at(p, 'resources'),
            `custom resource ${name} must be a whole non-negative number, got ${JSON.stringify(val)}`,
            'Ray node resources must be whole numbers',
          );
        }
      }
    }
  }
  if (role === 'worker' && typeof params.address === 'string') {
    r.warn(
      at(p, 'address'),
      'address is set on a worker group; the operator fills it in with the head service address',
      'remove it unless the workers really must join another head',
    );
  }
}
