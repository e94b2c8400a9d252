// Container environment as the kubelet builds it (pkg/kubelet/kubelet_pods.go makeEnvironmentVariables):
// envFrom sources first (with prefix), then `env` in order; each value may use $(VAR) references to
// variables defined earlier (`$$` escapes a literal `$`); valueFrom resolves against the pod and
// the API (Secrets, ConfigMaps). Pure given the lookups.
import { parseQuantity } from '../../src/api/quantity.ts';
import type { ContainerSpec, EnvVar, Pod } from './types.ts';

/** Kubernetes' $(VAR) expansion (third_party/forked/golang/expansion): unknown refs stay verbatim. */
export function expandVars(input: string, vars: Readonly<Record<string, string>>): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!;
    if (c !== '$' || i + 1 >= input.length) {
      out += c;
      continue;
    }
    const next = input[i + 1]!;
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, close);
      const v = vars[name];
      out += Object.hasOwn(vars, name) && v !== undefined ? v : `$(${name})`;
      i = close;
    } else {
      out += c;
    }
  }
  return out;
}

/** API reads the resolver needs: the data maps of Secrets (decoded) and ConfigMaps. */
export interface EnvLookups {
  secret(namespace: string, name: string): Promise<Record<string, string> | undefined>;
  configMap(namespace: string, name: string): Promise<Record<string, string> | undefined>;
}

export class EnvError extends Error {
  /** CreateContainerConfigError, as the kubelet reports it in the waiting state. */
  readonly reason = 'CreateContainerConfigError';
}

/** metadata.name, metadata.labels['x'], status.podIP, spec.nodeName … (the downward API). */
export function fieldRefValue(pod: Pod, fieldPath: string, podIP: string, hostIP: string): string {
  const m = /^metadata\.(labels|annotations)\[['"]?(.+?)['"]?\]$/.exec(fieldPath);
  if (m) {
    const map = (m[1] === 'labels' ? pod.metadata.labels : pod.metadata.annotations) ?? {};
    return map[m[2]!] ?? '';
  }
  switch (fieldPath) {
    case 'metadata.name':
      return pod.metadata.name ?? '';
    case 'metadata.namespace':
      return pod.metadata.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata.uid ?? '';
    case 'spec.nodeName':
      return pod.spec.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec.serviceAccountName ?? '';
    case 'status.podIP':
    case 'status.podIPs':
      return podIP;
    case 'status.hostIP':
    case 'status.hostIPs':
      return hostIP;
    default:
      throw new EnvError(`unsupported fieldRef ${fieldPath}`);
  }
}

/** resourceFieldRef: limits.cpu / requests.memory … divided by the divisor, rounded up (kubelet). */
export function resourceFieldValue(
  c: ContainerSpec,
  resource: string,
  divisor: string | undefined,
  nodeAllocatable: Readonly<Record<string, string>>,
): string {
  const [kind, name] = resource.split('.') as [string, string];
  const map = kind === 'limits' ? c.resources?.limits : c.resources?.requests;
  // An unset limit is the node's allocatable (as the kubelet does); an unset request is 0.
  const raw = map?.[name] ?? (kind === 'limits' ? nodeAllocatable[name] : undefined) ?? '0';
  const q = parseQuantity(raw);
  const d = parseQuantity(divisor ?? (name === 'cpu' ? '1' : '1'));
  const num = q.nanos;
  const den = d.nanos === 0n ? 1n : d.nanos;
  return ((num + den - 1n) / den).toString();
}

export interface EnvContext {
  pod: Pod;
  container: ContainerSpec;
  podIP: string;
  hostIP: string;
  nodeAllocatable: Readonly<Record<string, string>>;
  lookups: EnvLookups;
}

async function valueOf(
  v: EnvVar,
  ctx: EnvContext,
  vars: Record<string, string>,
): Promise<string | undefined> {
  if (v.value !== undefined) return expandVars(v.value, vars);
  const from = v.valueFrom;
  if (!from) return '';
  const ns = ctx.pod.metadata.namespace ?? 'default';
  if (from.fieldRef) return fieldRefValue(ctx.pod, from.fieldRef.fieldPath, ctx.podIP, ctx.hostIP);
  if (from.resourceFieldRef) {
    return resourceFieldValue(
      ctx.container,
      from.resourceFieldRef.resource,
      from.resourceFieldRef.divisor,
      ctx.nodeAllocatable,
    );
  }
  const ref = from.secretKeyRef ?? from.configMapKeyRef;
  if (ref) {
    const kind = from.secretKeyRef ? 'secret' : 'configmap';
    const data = from.secretKeyRef
      ? await ctx.lookups.secret(ns, ref.name)
      : await ctx.lookups.configMap(ns, ref.name);
    const val = data?.[ref.key];
    if (val === undefined) {
      if (ref.optional) return undefined;
      throw new EnvError(
        data
          ? `couldn't find key ${ref.key} in ${kind === 'secret' ? 'Secret' : 'ConfigMap'} ${ns}/${ref.name}`
          : `${kind} "${ref.name}" not found`,
      );
    }
    return val;
  }
  return '';
}

/** The container's environment (only what the pod spec defines; the node adds its own base). */
export async function containerEnv(ctx: EnvContext): Promise<Record<string, string>> {
  const vars: Record<string, string> = {};
  const ns = ctx.pod.metadata.namespace ?? 'default';
  for (const src of ctx.container.envFrom ?? []) {
    const ref = src.configMapRef ?? src.secretRef;
    if (!ref) continue;
    const data = src.secretRef
      ? await ctx.lookups.secret(ns, ref.name)
      : await ctx.lookups.configMap(ns, ref.name);
    if (!data) {
      if (ref.optional) continue;
      throw new EnvError(`${src.secretRef ? 'secret' : 'configmap'} "${ref.name}" not found`);
    }
    for (const [k, v] of Object.entries(data)) vars[(src.prefix ?? '') + k] = v;
  }
  for (const v of ctx.container.env ?? []) {
    const val = await valueOf(v, ctx, vars);
    if (val !== undefined) vars[v.name] = val;
  }
  return vars;
}

/**
 * The process argv: `command` replaces the image ENTRYPOINT and `args` its CMD, both with $(VAR)
 * expansion (images.ts says what each image's are).
 */
export function containerArgv(
  c: ContainerSpec,
  env: Readonly<Record<string, string>>,
  image: { entrypoint: readonly string[]; cmd: readonly string[] } = { entrypoint: [], cmd: ['bash'] },
): string[] {
  const expand = (xs: readonly string[]) => xs.map((x) => expandVars(x, env));
  if (c.command && c.command.length > 0) return [...expand(c.command), ...expand(c.args ?? [])];
  if (c.args && c.args.length > 0) return [...image.entrypoint, ...expand(c.args)];
  return [...image.entrypoint, ...image.cmd];
}

/** rayproject/ray:*, rayproject/ray-ml:*, docker.io/rayproject/… run from the project's Ray venv. */
export function isRayImage(image: string | undefined): boolean {
  return /^(?:(?:docker\.io|quay\.io)\/)?rayproject\/ray(?:-ml|-llm)?(?::|@|$)/.test(image ?? '');
}
