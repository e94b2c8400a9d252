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
import { canonicalJSON } from '../../util/canonical.ts';
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
      // AlreadyExists: the cache is behind; its event brings us back to compare.
      await recorded(
        d,
        owner,
        'Create',
        ns,
        name,
        () => d.client.create(NetworkPolicies, want as KubeObject),
        isAlreadyExists,
      );
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
    // JSON patch: replace spec and labels whole (a merge patch would keep fields the spec dropped).
    await recorded(d, owner, 'Update', ns, name, () =>
      d.client.patch(
        NetworkPolicies,
        ns,
        name,
        [
          { op: 'replace', path: '/spec', value: want.spec },
          { op: 'replace', path: '/metadata/labels', value: want.metadata!.labels },
        ],
        'json',
      ),
    );
  }

  const wanted = new Set(desired.map((p) => p.metadata!.name));
  for (const stale of existing) {
    const name = stale.metadata!.name!;
    if (wanted.has(name) || !ours(stale)) continue;
    await recorded(
      d,
      owner,
      'Delete',
      ns,
      name,
      () => d.client.delete(NetworkPolicies, ns, name),
      isNotFound,
    );
  }
  return collided ? { requeueAfter: 60_000 } : {};
}

/** Equal JSON values, key order ignored (the API server may reorder keys). */
const sameJSON = (a: unknown, b: unknown): boolean => canonicalJSON(a) === canonicalJSON(b);

const PAST = { Create: 'Created', Update: 'Updated', Delete: 'Deleted' } as const;

/**
 * One write with KubeRay's Events: <Verb>dNetworkPolicy, or FailedTo<Verb>NetworkPolicy and the error
 * thrown (a rate-limited retry). An error `settled` accepts (AlreadyExists on create, NotFound on
 * delete) means there is nothing to do or say.
 */
async function recorded(
  d: NetworkPolicyDeps,
  owner: KubeObject,
  verb: keyof typeof PAST,
  ns: string,
  name: string,
  write: () => Promise<unknown>,
  settled: (err: unknown) => boolean = () => false,
): Promise<void> {
  try {
    await write();
  } catch (err) {
    if (settled(err)) return;
    d.events.warning(
      owner,
      `FailedTo${verb}NetworkPolicy`,
      `Failed to ${verb.toLowerCase()} NetworkPolicy ${ns}/${name}: ${errMessage(err)}`,
      verb,
    );
    throw err;
  }
  d.events.normal(owner, `${PAST[verb]}NetworkPolicy`, `${PAST[verb]} NetworkPolicy ${ns}/${name}`, verb);
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
