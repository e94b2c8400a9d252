// How the RayCluster controller writes status without ever touching a field another writer owns.
// status.autoscaler belongs to the native autoscaler (src/autoscaler/actuator/explain.ts statusPatch);
// every other member is this controller's. Replacing all of /status from the informer cache (what the
// controller once did, copying status.autoscaler along) could put back an autoscaler status older than
// the one the autoscaler had just written. So the patch names only the members that changed, each
// replaced whole ("add" on an existing member replaces it), and clears the ones that went away.
// A member is cleared with `add null`, not `remove`: the previous status comes from the informer
// cache, which may not have seen this controller's last write yet, and `remove` of a member that
// write already took away fails the whole patch (422). The API server prunes null from a
// non-nullable member of a structural schema, so `add null` leaves it absent whether or not it was
// there (statusOwners.int.test.ts asserts it on the real API server).
import type { RayClusterStatus } from '../../api/v1/index.ts';
import { canonicalJSON } from '../../util/canonical.ts';

/** Members of status written by another controller, never by this one. */
export const FOREIGN_STATUS_MEMBERS: ReadonlySet<string> = new Set(['autoscaler']);

type Member = Exclude<keyof RayClusterStatus, 'autoscaler'>;
export interface StatusOp {
  op: 'add';
  path: `/status/${string}`;
  /** null clears the member (see the top of the file). */
  value: unknown;
}

export type ClusterStatusPatch =
  | { type: 'json'; body: StatusOp[] }
  | { type: 'merge'; body: { status: Partial<Pick<RayClusterStatus, Member>> } }
  | undefined;

function own(s: RayClusterStatus | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // Object.entries types values from the declared members; a caller's spread may still hold undefined.
  for (const [k, v] of Object.entries(s ?? {}) as [string, unknown][])
    if (v !== undefined && !FOREIGN_STATUS_MEMBERS.has(k)) out[k] = v;
  return out;
}

/** JSON pointer escaping of one path segment (RFC 6901). */
const segment = (k: string) => k.replaceAll('~', '~0').replaceAll('/', '~1');

/**
 * The patch that takes the stored status from `prev` to `next` in this controller's members only;
 * undefined when nothing changed. Without a stored status a merge patch creates it (it keeps an
 * autoscaler status written in between; a JSON patch on a missing /status would fail).
 */
export function clusterStatusPatch(
  prev: RayClusterStatus | undefined,
  next: RayClusterStatus,
): ClusterStatusPatch {
  const before = own(prev);
  const after = own(next);
  if (!prev || Object.keys(prev).length === 0) {
    return Object.keys(after).length ? { type: 'merge', body: { status: after } } : undefined;
  }
  const ops: StatusOp[] = [];
  for (const [k, v] of Object.entries(after)) {
    if (canonicalJSON(before[k]) !== canonicalJSON(v))
      ops.push({ op: 'add', path: `/status/${segment(k)}`, value: v });
  }
  for (const k of Object.keys(before))
    if (!(k in after)) ops.push({ op: 'add', path: `/status/${segment(k)}`, value: null });
  return ops.length ? { type: 'json', body: ops } : undefined;
}
