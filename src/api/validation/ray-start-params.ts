// rayStartParams become `ray start --key=value` flags. Ray parses most of them as click `int`, so a
// value Ray refuses makes the container exit at start (and on a head, after GCS already started).
// Quantities in memory/object-store-memory are converted to bytes by Kuray (as the guide writes them).
// Keys must be options `ray start` has; values must not carry shell syntax: KubeRay pastes them into
// a `bash -c` line, where `temp-dir: "/tmp; touch /tmp/x"` runs `touch`. Kuray quotes every value
// (src/util/shell.ts), so there they would only be odd text — still a mistake or an attack.
import { parseQuantity } from '../quantity.ts';
import { literalValue, parseShellValue, unquotedShellSyntax } from '../../util/shell.ts';
import { at, type Report } from './issue.ts';
import { closestFlag, RAY_START_FLAGS } from './ray-start-flags.ts';

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
];

/** Set by the operator on every node, or on the head alone; a user value would clash. */
const OPERATOR_FLAGS: Readonly<Record<string, string>> = {
  head: 'the operator starts the head with --head and workers without it',
};

function checkKeysAndShell(p: string, params: Record<string, string>, r: Report): void {
  for (const [k, v] of Object.entries(params)) {
    const path = at(p, k);
    if (OPERATOR_FLAGS[k] !== undefined) {
      r.error(path, `rayStartParams must not set ${k}: ${OPERATOR_FLAGS[k]}`, `remove ${k}`);
    } else if (!RAY_START_FLAGS.has(k)) {
      const close = closestFlag(k);
      r.error(
        path,
        `${JSON.stringify(k)} is not an option of ray start (Ray 2.58): ray start exits with "No such option: --${k}"`,
        close
          ? `did you mean ${close}? Keys are ray start's long options without the dashes`
          : 'use a ray start option without the dashes (ray start --help lists them), e.g. num-cpus',
      );
    }
    if (typeof v !== 'string') continue;
    const syntax = unquotedShellSyntax(v);
    const parsed = parseShellValue(v);
    if (syntax !== undefined || !parsed.ok) {
      r.error(
        path,
        `the value ${JSON.stringify(v)} contains shell syntax: ${syntax ?? (parsed.ok ? '' : parsed.reason)}. KubeRay would run it as a command; Kuray passes values to ray start as text`,
        "write the value Ray should get; wrap text with special characters in single quotes ('a;b'), and reference environment variables only as $NAME or ${NAME}",
      );
    }
  }
}

export function checkRayStartParams(
  p: string,
  params: Record<string, string> | undefined,
  role: 'head' | 'worker',
  r: Report,
): void {
  if (!params) return;
  checkKeysAndShell(p, params, r);
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
    // KubeRay users pre-quote it for the shell: '{"A": 1}' or "{\"A\": 1}".
    const text = (literalValue(res.trim()) ?? res).trim();
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
