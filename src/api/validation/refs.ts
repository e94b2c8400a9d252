// References from Ray objects to Secrets and ConfigMaps. A missing Secret keeps the pods in
// CreateContainerConfigError; validation cannot see the cluster, so it notes references to objects
// that are not in the same file.
import { isObj } from './common.ts';
import { type Report } from './issue.ts';

interface Ref {
  kind: 'Secret' | 'ConfigMap';
  name: string;
  path: string;
}

/** Every Secret/ConfigMap name referenced by env, envFrom or volumes anywhere in the object. */
export function collectRefs(v: unknown, path: string, out: Ref[] = []): Ref[] {
  if (Array.isArray(v)) {
    v.forEach((x, i) => collectRefs(x, `${path}[${i}]`, out));
    return out;
  }
  if (!isObj(v)) return out;
  for (const [k, x] of Object.entries(v)) {
    const p = path === '' ? k : `${path}.${k}`;
    if (!isObj(x)) {
      collectRefs(x, p, out);
      continue;
    }
    const optional = x.optional === true;
    if ((k === 'secretKeyRef' || k === 'secretRef') && typeof x.name === 'string' && !optional)
      out.push({ kind: 'Secret', name: x.name, path: p });
    else if ((k === 'configMapKeyRef' || k === 'configMapRef') && typeof x.name === 'string' && !optional)
      out.push({ kind: 'ConfigMap', name: x.name, path: p });
    else if (k === 'secret' && typeof x.secretName === 'string' && !optional)
      out.push({ kind: 'Secret', name: x.secretName, path: p });
    else collectRefs(x, p, out);
  }
  return out;
}

export function noteMissingRefs(obj: Record<string, unknown>, others: readonly unknown[], r: Report): void {
  const have = new Set(
    others.filter(isObj).map((o) => `${String(o.kind)}/${isObj(o.metadata) ? String(o.metadata.name) : ''}`),
  );
  const ns =
    isObj(obj.metadata) && typeof obj.metadata.namespace === 'string'
      ? obj.metadata.namespace
      : 'the same namespace';
  const seen = new Set<string>();
  for (const ref of collectRefs(obj.spec, 'spec')) {
    const key = `${ref.kind}/${ref.name}`;
    if (have.has(key) || seen.has(key)) continue;
    seen.add(key);
    r.info(
      ref.path,
      `${ref.kind} ${ref.name} is not in this file`,
      `make sure it exists in ${ns} before the pods start (kubectl get ${ref.kind.toLowerCase()} ${ref.name}); otherwise they wait in CreateContainerConfigError`,
    );
  }
}
