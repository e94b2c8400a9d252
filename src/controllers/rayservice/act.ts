// The RayService controller's writes, each with KubeRay's Event on success and on failure. Every
// write is a precondition-guarded patch or a create/delete: the controller never overwrites an
// object from a stale cache.
import type { RayCluster } from '../../api/v1/index.ts';
import { LABEL_SERVE } from '../../compiler/constants.ts';
import type { Pod, Service } from '../../compiler/k8sTypes.ts';
import { isAlreadyExists, isNotFound } from '../../runtime/errors.ts';
import type { EventRecorder } from '../../runtime/events.ts';
import { Pods, RayClusters, RayServices, Services, type KubeObject } from '../../runtime/resources.ts';
import type { KubeClient } from '../../runtime/transport.ts';
import { selectedCluster } from '../shared/ownerHeadService.ts';
import { EVENT, FINALIZER } from './constants.ts';
import { desiredCluster, type RS } from './objects.ts';

export interface ActDeps {
  client: KubeClient;
  events: Pick<EventRecorder, 'normal' | 'warning'>;
}

const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const nsName = (o: { metadata?: { namespace?: string; name?: string } }) =>
  `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

async function withEvents<T>(
  d: ActDeps,
  rs: RS,
  ok: [reason: string, message: string, action: string],
  fail: [reason: string, message: string],
  write: () => Promise<T>,
): Promise<T> {
  try {
    const out = await write();
    d.events.normal(rs, ok[0], ok[1], ok[2]);
    return out;
  } catch (err) {
    d.events.warning(rs, fail[0], `${fail[1]}: ${errText(err)}`, ok[2]);
    throw err;
  }
}

export async function createCluster(
  d: ActDeps,
  rs: RS,
  name: string,
  withoutReplicas: boolean,
): Promise<RayCluster> {
  const rc = desiredCluster(rs, name, withoutReplicas);
  const id = nsName(rc);
  return withEvents(
    d,
    rs,
    [EVENT.createdCluster, `Created the RayCluster ${id}`, 'Create'],
    [EVENT.failedCreateCluster, `Failed to create the RayCluster ${id}`],
    async () => {
      try {
        return await d.client.create(RayClusters, rc as RayCluster & KubeObject);
      } catch (err) {
        // Our own create whose answer was lost: the cluster exists and is ours.
        if (isAlreadyExists(err))
          return d.client.get<RayCluster & KubeObject>(RayClusters, rs.metadata.namespace, name);
        throw err;
      }
    },
  );
}

/**
 * In-place update of a cluster to the current rayClusterConfig (appended worker groups, or a cluster
 * another operator made): spec, labels and annotations rebuilt, suspend kept (Kueue's), guarded by
 * the cached resourceVersion so it never overwrites the autoscaler's newer replicas.
 */
export async function updateCluster(
  d: ActDeps,
  rs: RS,
  rc: RayCluster,
  role: 'active' | 'pending',
): Promise<void> {
  const goal = desiredCluster(rs, rc.metadata!.name!);
  const spec = { ...goal.spec, suspend: rc.spec.suspend };
  if (spec.suspend === undefined) delete spec.suspend;
  const id = nsName(rc);
  await withEvents(
    d,
    rs,
    [EVENT.updatedCluster, `Updated the ${role} RayCluster ${id}`, 'Update'],
    [EVENT.failedUpdateCluster, `Failed to update the ${role} RayCluster ${id}`],
    () =>
      d.client.patch(
        RayClusters,
        rc.metadata!.namespace,
        rc.metadata!.name!,
        [
          { op: 'test', path: '/metadata/resourceVersion', value: rc.metadata!.resourceVersion },
          { op: 'replace', path: '/spec', value: spec },
          { op: 'add', path: '/metadata/labels', value: goal.metadata!.labels },
          { op: 'add', path: '/metadata/annotations', value: goal.metadata!.annotations },
        ],
        'json',
      ),
  );
}

export async function deleteCluster(d: ActDeps, rs: RS, name: string, why: string): Promise<void> {
  const id = `${rs.metadata.namespace ?? ''}/${name}`;
  await withEvents(
    d,
    rs,
    [EVENT.deletedCluster, `Deleted the RayCluster ${id}${why}`, 'Delete'],
    [EVENT.failedDeleteCluster, `Failed to delete the RayCluster ${id}`],
    async () => {
      try {
        await d.client.delete(RayClusters, rs.metadata.namespace, name, { propagationPolicy: 'Background' });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    },
  );
}

/**
 * Makes `desired` exist, or points the existing Service at desired's cluster (selector and ports
 * replaced; everything else, the ClusterIP included, stays). A Service that already points at that
 * cluster is left alone, as KubeRay does, so users' and controllers' edits survive.
 */
export async function ensureService(
  d: ActDeps,
  rs: RS,
  desired: Service,
  existing: Service | undefined,
): Promise<void> {
  const id = nsName(desired);
  if (!existing) {
    await withEvents(
      d,
      rs,
      [EVENT.createdService, `Created the service ${id}`, 'Create'],
      [EVENT.failedCreateService, `Failed to create the service ${id}`],
      async () => {
        try {
          await d.client.create(Services, desired as Service & KubeObject);
        } catch (err) {
          if (!isAlreadyExists(err)) throw err;
        }
      },
    );
    return;
  }
  if (selectedCluster(existing) === selectedCluster(desired)) return;
  await withEvents(
    d,
    rs,
    [
      EVENT.updatedService,
      `Updated the service ${id} to RayCluster ${selectedCluster(desired) ?? ''}`,
      'Update',
    ],
    [EVENT.failedUpdateService, `Failed to update the service ${id}`],
    () =>
      d.client.patch(
        Services,
        existing.metadata!.namespace,
        existing.metadata!.name!,
        [
          { op: 'test', path: '/metadata/resourceVersion', value: existing.metadata!.resourceVersion },
          { op: 'replace', path: '/spec/selector', value: desired.spec!.selector },
          { op: 'replace', path: '/spec/ports', value: desired.spec!.ports },
        ],
        'json',
      ),
  );
}

/** ray.io/serve on the head pod: the serve Service selects the head only while its proxy is healthy. */
export async function setServeLabel(d: ActDeps, rs: RS, head: Pod, value: 'true' | 'false'): Promise<void> {
  const id = nsName(head);
  await withEvents(
    d,
    rs,
    [EVENT.updatedServeLabel, `Updated the serve label to "${value}" for the Head Pod ${id}`, 'Update'],
    [EVENT.failedUpdateServeLabel, `Failed to update the serve label to "${value}" for the Head Pod ${id}`],
    () =>
      d.client.patch(
        Pods,
        head.metadata!.namespace,
        head.metadata!.name!,
        { metadata: { labels: { [LABEL_SERVE]: value } } },
        'merge',
      ),
  );
}

export async function addFinalizer(d: ActDeps, rs: RS): Promise<void> {
  const list = rs.metadata.finalizers;
  await d.client.patch(
    RayServices,
    rs.metadata.namespace,
    rs.metadata.name!,
    list
      ? [
          { op: 'test', path: '/metadata/finalizers', value: list },
          { op: 'add', path: '/metadata/finalizers/-', value: FINALIZER },
        ]
      : [{ op: 'add', path: '/metadata/finalizers', value: [FINALIZER] }],
    'json',
  );
}

export async function removeFinalizer(d: ActDeps, rs: RS): Promise<void> {
  const i = rs.metadata.finalizers?.indexOf(FINALIZER) ?? -1;
  if (i < 0) return;
  try {
    await d.client.patch(
      RayServices,
      rs.metadata.namespace,
      rs.metadata.name!,
      [
        { op: 'test', path: `/metadata/finalizers/${i}`, value: FINALIZER },
        { op: 'remove', path: `/metadata/finalizers/${i}` },
      ],
      'json',
    );
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

/** Deletes a Service the RayService owns (suspend). */
export async function deleteService(d: ActDeps, rs: RS, svc: Service): Promise<void> {
  const id = nsName(svc);
  await withEvents(
    d,
    rs,
    [EVENT.deletedService, `Deleted the Service ${id} during suspend`, 'Delete'],
    [EVENT.failedDeleteService, `Failed to delete the Service ${id} during suspend`],
    async () => {
      try {
        await d.client.delete(Services, svc.metadata!.namespace, svc.metadata!.name!, {
          propagationPolicy: 'Background',
        });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    },
  );
}
