// Reads the operator Deployment of an install (config/manager or the chart) back into the options
// `kuray operator` would run with, using the operator's own parser: a flag the operator does not
// know, or a value it rejects, fails here instead of in a crash-looping pod.
import { FLAGS, resolveOptions, type OperatorOptions } from '../operator/options.ts';
import type { Manifest } from './manifests.ts';

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath?: string } };
}

export interface OperatorContainer {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  [k: string]: unknown;
}

export interface PodSpecLike {
  serviceAccountName?: string;
  containers?: OperatorContainer[];
  [k: string]: unknown;
}

export function podSpecOf(deployment: Manifest): PodSpecLike & { containers: OperatorContainer[] } {
  const spec = (deployment as { spec?: { template?: { spec?: PodSpecLike } } }).spec?.template?.spec;
  if (!spec?.containers?.length)
    throw new Error(`Deployment ${deployment.metadata.name ?? ''} has no containers`);
  return { ...spec, containers: spec.containers };
}

/** `["operator", "--a=1", "--b", "2"]` → { a: "1", b: "2" }; anything else throws. */
export function parseOperatorArgs(args: readonly string[]): Record<string, string> {
  if (args[0] !== 'operator')
    throw new Error(`args must start with the "operator" command, got ${JSON.stringify(args[0])}`);
  const known = new Set(FLAGS.map((f) => f.flag));
  const out: Record<string, string> = {};
  for (let i = 1; i < args.length; i++) {
    const a = args[i]!;
    const m = /^--([a-z0-9-]+)(?:=(.*))?$/s.exec(a);
    if (!m) throw new Error(`unexpected argument ${JSON.stringify(a)}`);
    const flag = m[1]!;
    if (!known.has(flag)) throw new Error(`kuray operator has no flag --${flag}`);
    const value = m[2] ?? args[++i];
    if (value === undefined) throw new Error(`--${flag} has no value`);
    out[flag] = value;
  }
  return out;
}

/**
 * The options the Deployment's first container runs with. Downward-API env (metadata.namespace) is
 * resolved to the Deployment's namespace, as the kubelet would.
 */
export function deploymentOptions(deployment: Manifest): OperatorOptions {
  const c = podSpecOf(deployment).containers[0]!;
  const env: Record<string, string> = {};
  for (const e of c.env ?? []) {
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.valueFrom?.fieldRef?.fieldPath === 'metadata.namespace')
      env[e.name] = deployment.metadata.namespace ?? 'default';
  }
  return resolveOptions(parseOperatorArgs(c.args ?? []), env);
}
