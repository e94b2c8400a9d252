// What the console's buttons do, each made with the viewer's own client: the API server applies the
// viewer's RBAC and admission (Kuray's webhook, when installed), and its refusal is shown verbatim.
import { validateYamlDocuments } from '../cli/commands/validate.ts';
import { checkScaleRequest, scaled } from '../cli/ray/scale.ts';
import type { FeatureGates } from '../api/validation/index.ts';
import {
  RayClusters,
  RayCronJobs,
  RayJobs,
  RayServices,
  type GVR,
  type KubeObject,
} from '../runtime/resources.ts';
import type { KubeClient } from '../runtime/transport.ts';
import type {
  CreateResponse,
  RayClusterObject,
  ScaleRequestBody,
  SuspendRequestBody,
  ValidateResponse,
} from './protocol.ts';

/** Field manager of the console's writes (shows in managedFields who changed what). */
export const fieldManager = 'kuray-console';

const creatable: Record<string, GVR> = {
  RayCluster: RayClusters,
  RayJob: RayJobs,
  RayService: RayServices,
  RayCronJob: RayCronJobs,
};

/** `kuray validate` on the editor's text: the same code, the same findings. */
export function validateText(text: string, gates?: FeatureGates): ValidateResponse & { values: unknown[] } {
  let docs;
  try {
    docs = validateYamlDocuments(text, 'editor', gates);
  } catch (e) {
    return { objects: [], values: [], parseError: (e as Error).message };
  }
  return {
    values: docs.map((d) => d.value),
    objects: docs.map(({ label, value, result }) => {
      const o = (value ?? {}) as { kind?: unknown; metadata?: { namespace?: unknown } };
      return {
        label,
        ...(typeof o.kind === 'string' ? { kind: o.kind } : {}),
        ...(typeof o.metadata?.namespace === 'string' ? { namespace: o.metadata.namespace } : {}),
        errors: result.errors,
        warnings: result.warnings,
        infos: result.infos,
      };
    }),
  };
}

/**
 * Creates every object of the text, in order, in `defaultNamespace` unless it names its own; nothing
 * when any object has a validation error or a kind the console does not create (Ray kinds only).
 */
export async function createFromText(
  client: KubeClient,
  text: string,
  defaultNamespace: string,
  opts: { dryRun?: boolean; gates?: FeatureGates } = {},
): Promise<CreateResponse> {
  const { values, ...report } = validateText(text, opts.gates);
  const res: CreateResponse = { ...report, created: [] };
  if (report.parseError !== undefined) return res;
  if (values.length === 0) return { ...res, error: 'the text holds no object' };
  if (report.objects.some((o) => o.errors.length > 0)) return { ...res, error: 'fix the errors first' };
  const unknown = report.objects.filter((o) => o.kind === undefined || !(o.kind in creatable));
  if (unknown.length > 0)
    return {
      ...res,
      error: `the console creates RayCluster, RayJob, RayService and RayCronJob objects only; not ${unknown.map((o) => o.label).join(', ')} (use kubectl apply)`,
    };
  for (const v of values) {
    const obj = v as KubeObject;
    const kind = obj.kind!;
    const namespaced: KubeObject = {
      ...obj,
      metadata: { ...obj.metadata, namespace: obj.metadata.namespace ?? defaultNamespace },
    };
    try {
      await client.create(creatable[kind]!, namespaced, { fieldManager, dryRun: opts.dryRun });
    } catch (e) {
      return { ...res, error: (e as Error).message };
    }
    res.created.push(`${kind} ${namespaced.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`);
  }
  return res;
}

/** A user's scale input as `kubectl ray scale cluster -w G -r N` checks and applies it. */
export async function scaleGroup(client: KubeClient, body: ScaleRequestBody): Promise<RayClusterObject> {
  checkScaleRequest(body.group, { replicas: body.replicas });
  const cluster = await client.get<RayClusterObject>(RayClusters, body.namespace, body.name);
  const s = scaled(cluster, body.group, { replicas: body.replicas });
  if (!s) return cluster;
  // PUT with the resourceVersion just read: a concurrent change (the autoscaler's) is a Conflict,
  // shown to the user, never overwritten.
  return client.update(RayClusters, s.cluster, { fieldManager });
}

/** spec.suspend of a RayCluster or RayJob (both have it; KubeRay deletes the pods / the cluster). */
export function setSuspend(
  client: KubeClient,
  kind: 'RayCluster' | 'RayJob',
  body: SuspendRequestBody,
): Promise<KubeObject> {
  return client.patch(
    kind === 'RayCluster' ? RayClusters : RayJobs,
    body.namespace,
    body.name,
    { spec: { suspend: body.suspend } },
    'merge',
    { fieldManager },
  );
}

export function deleteObject(
  client: KubeClient,
  kind: string,
  namespace: string,
  name: string,
): Promise<unknown> {
  const r = creatable[kind];
  if (!r) throw new Error(`cannot delete kind ${kind}`);
  return client.delete(r, namespace, name, { propagationPolicy: 'Background' });
}
