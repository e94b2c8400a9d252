// One Event per batch of pod writes, not one per pod: a 10-worker cluster coming up is one
// "Created 10 worker Pods" Event instead of ten. Events are writes to the same API server that has
// to create the pods, and in a burst they were ~40 % of the operator's writes. A single pod keeps
// KubeRay's wording. Pure.

/** The apiserver caps Event messages at 1024 bytes. */
const MAX_MESSAGE = 1000;

export function podBatchMessage(
  verb: 'Created' | 'Deleted',
  role: 'head' | 'worker',
  namespace: string,
  names: readonly string[],
  why?: string,
): string {
  const suffix = why ? `: ${why}` : '';
  if (names.length === 1) return `${verb} ${role} Pod ${namespace}/${names[0]!}${suffix}`;
  const head = `${verb} ${names.length} ${role} Pods${suffix}: `;
  let text = head;
  for (let i = 0; i < names.length; i++) {
    const part = `${i ? ', ' : ''}${namespace}/${names[i]!}`;
    const more = i < names.length - 1 ? ` … and ${names.length - i - 1} more`.length : 0;
    if (text.length + part.length + more > MAX_MESSAGE) return `${text} … and ${names.length - i} more`;
    text += part;
  }
  return text;
}

/** Groups items by a key, keeping first-seen order (deterministic Events). */
export function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const t of items) {
    const k = key(t);
    const list = out.get(k);
    if (list) list.push(t);
    else out.set(k, [t]);
  }
  return out;
}
