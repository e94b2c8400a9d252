// The NetworkPolicy controller (gate RayClusterNetworkPolicy), a concern of its own as in KubeRay v1.7:
// keeps each RayCluster's NetworkPolicies equal to what the compiler makes of spec.networkPolicy
// (src/compiler/networkPolicy.ts). Creates the missing ones, rewrites one whose spec or labels drifted
// (a user's edit is reverted, as KubeRay does), deletes the ones the spec no longer asks for (a removed
// group, or networkPolicy removed) — only those this cluster controls. Reads come from a NetworkPolicy
// cache, so a converged cluster costs no request. Registered only with the gate on: without it, no
// NetworkPolicy is watched at all.
import type { RayCluster } from '../../api/v1/index.ts';
import type { NetworkPolicy } from '../../compiler/k8sTypes.ts';
import { compileCluster } from '../../compiler/index.ts';
import type { CompileOptions } from '../../compiler/options.ts';
import { LABEL_CLUSTER } from '../../compiler/constants.ts';
import type { Controller, ReconcileContext, Request, Result } from '../../runtime/controller.ts';
import { errMessage, isAlreadyExists, isNotFound } from '../../runtime/errors.ts';
import type { Manager } from '../../runtime/manager.ts';
import { NetworkPolicies, RayClusters, type KubeObject } from '../../runtime/resources.ts';
import { INDEX_BY_CLUSTER, clusterKey, podClusterIndex } from '../shared/clusterPods.ts';
import type { Lister } from '../shared/lister.ts';
import { MANAGED_BY_KURAY } from '../shared/managedBy.ts';
import { lister, watchScope } from '../shared/watchScope.ts';
import type { EventSink, RayClusterClient } from './client.ts';

export interface NetworkPolicyDeps {
  client: Pick<RayClusterClient, 'create' | 'patch' | 'delete'>;
  clusters: Lister;
  /** NetworkPolicies labelled ray.io/cluster, indexed by INDEX_BY_CLUSTER. */
  policies: Lister;
  events: EventSink;
  compileOptions?: CompileOptions;
}

export async function reconcileNetworkPolicies(d: NetworkPolicyDeps, req: Request): Promise<Result> {
  const rc = d.clusters.get(req.namespace, req.name) as RayCluster | undefined;
  if (!rc?.metadata || rc.metadata.deletionTimestamp) return {}; // owner references clean up
  if (rc.spec.managedBy && rc.spec.managedBy !== MANAGED_BY_KURAY) return {};
  let desired: readonly NetworkPolicy[];
  try {
    desired = compileCluster(rc, d.compileOptions).networkPolicies;
  } catch {
    return {}; // an invalid spec: the RayCluster controller reports it
  }
  const owner = rc as KubeObject;
  const ns = rc.metadata.namespace ?? '';
  const existing = d.policies.byIndex(INDEX_BY_CLUSTER, clusterKey(ns, rc.metadata.name!)) as NetworkPolicy[];
  const ours = (p: NetworkPolicy) =>
    p.metadata?.ownerReferences?.some((o) => o.controller && o.uid === rc.metadata!.uid) === true;

  let collided = false;
  for (const want of desired) {
    const name = want.metadata!.name!;
    const have =
      existing.find((p) => p.metadata?.name === name) ??
      (d.policies.get(ns, name) as NetworkPolicy | undefined);
    if (!have) {
      await create(d, owner, want);
      continue;
    }
    if (!ours(have)) {
      // KubeRay's answer: never take over someone else's policy; say so and leave the cluster unisolated.
      const msg = `NetworkPolicy ${ns}/${name} already exists and is not owned by this RayCluster, network isolation will not be applied. Rename the existing NetworkPolicy or use a different RayCluster name to avoid the collision`;
      d.events.warning(owner, 'NetworkPolicyNameCollision', msg, 'Validate');
      collided = true; // the other policies still apply; look again later (the user may rename theirs)
      continue;
    }
    if (sameJSON(have.spec, want.spec) && sameJSON(have.metadata?.labels, want.metadata?.labels)) continue;
    try {
      // JSON patch: replace spec and labels whole (a merge patch would keep fields the spec dropped).
      await d.client.patch(
        NetworkPolicies,
        ns,
        name,
        [
          { op: 'replace', path: '/spec', value: want.spec },
          { op: 'replace', path: '/metadata/labels', value: want.metadata!.labels },
        ],
        'json',
      );
    } catch (err) {
      d.events.warning(
        owner,
        'FailedToUpdateNetworkPolicy',
        `Failed to update NetworkPolicy ${ns}/${name}: ${errMessage(err)}`,
        'Update',
      );
      throw err;
    }
    d.events.normal(owner, 'UpdatedNetworkPolicy', `Updated NetworkPolicy ${ns}/${name}`, 'Update');
  }

  const wanted = new Set(desired.map((p) => p.metadata!.name));
  for (const stale of existing) {
    const name = stale.metadata!.name!;
    if (wanted.has(name) || !ours(stale)) continue;
    try {
      await d.client.delete(NetworkPolicies, ns, name);
    } catch (err) {
      if (isNotFound(err)) continue;
      d.events.warning(
        owner,
        'FailedToDeleteNetworkPolicy',
        `Failed to delete NetworkPolicy ${ns}/${name}: ${errMessage(err)}`,
        'Delete',
      );
      throw err;
    }
    d.events.normal(owner, 'DeletedNetworkPolicy', `Deleted NetworkPolicy ${ns}/${name}`, 'Delete');
  }
  return collided ? { requeueAfter: 60_000 } : {};
}

async function create(d: NetworkPolicyDeps, owner: KubeObject, want: NetworkPolicy): Promise<void> {
  const ns = want.metadata!.namespace ?? '';
  const name = want.metadata!.name!;
  try {
    await d.client.create(NetworkPolicies, want as KubeObject);
  } catch (err) {
    if (isAlreadyExists(err)) return; // the cache is behind; its event brings us back to compare
    d.events.warning(
      owner,
      'FailedToCreateNetworkPolicy',
      `Failed to create NetworkPolicy ${ns}/${name}: ${errMessage(err)}`,
      'Create',
    );
    throw err;
  }
  d.events.normal(owner, 'CreatedNetworkPolicy', `Created NetworkPolicy ${ns}/${name}`, 'Create');
}

/** Structural equality of JSON values, key order ignored (the API server may reorder keys). */
function sameJSON(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJSON(x, b[i]))
    );
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
    const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
    return (
      ka.length === kb.length &&
      ka.every((k) => sameJSON((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
    );
  }
  return false;
}

export interface NetworkPolicyControllerOptions {
  watchNamespaces?: readonly string[];
  concurrency?: number;
  compileOptions?: CompileOptions;
}

export function setupNetworkPolicyController(
  mgr: Manager,
  opts: NetworkPolicyControllerOptions = {},
): Controller {
  const scope = watchScope(mgr, opts.watchNamespaces);
  const clusters = scope.informers(RayClusters);
  // Only policies labelled for a Ray cluster are cached: the namespace's other policies are not ours.
  const policies = scope.informers(NetworkPolicies, LABEL_CLUSTER);
  for (const p of policies) if (!p.hasIndex(INDEX_BY_CLUSTER)) p.addIndex(INDEX_BY_CLUSTER, podClusterIndex);
  const deps: NetworkPolicyDeps = {
    client: mgr.client,
    clusters: lister(clusters, scope.all),
    policies: lister(policies, scope.all),
    events: mgr.events,
    ...(opts.compileOptions ? { compileOptions: opts.compileOptions } : {}),
  };
  const controller = mgr.newController({
    name: 'networkpolicy',
    concurrency: opts.concurrency ?? 4,
    reconcile: (req: Request, _ctx: ReconcileContext) => reconcileNetworkPolicies(deps, req),
  });
  // KubeRay's GenerationChangedPredicate: status writes (every pod start) do not wake this controller.
  for (const c of clusters)
    controller.watchOwn(
      c,
      (o, n) =>
        o.metadata.generation !== n.metadata.generation || !sameJSON(o.metadata.labels, n.metadata.labels), // the RayJob submission-mode label
    );
  for (const p of policies) controller.watchOwned(p, 'RayCluster', 'ray.io');
  return controller;
}
