// Admission decisions for the four ray.io/v1 kinds, with the same validate() as `kuray validate`
// and the operator. Pure: an AdmissionReview request in, its response out.
//
//   validating: errors deny (the message lists each field path, what is wrong and how to fix it);
//     warnings come back as admission warnings, which kubectl prints as `Warning:` lines. On UPDATE
//     only what the change introduced counts (ratcheting): an object stored before a rule existed
//     can still be scaled, relabelled or have its finalizers removed, and an object being deleted is
//     always let through.
//   mutating: the defaults the operator would apply anyway (KubeRay's empty rayStartParams), written
//     into the object so `kubectl get -o yaml` shows them, and with --default-token-auth the token
//     authentication of new RayClusters (src/api/auth.ts tokenAuthDefault).
import { tokenAuthDefault } from '../api/auth.ts';
import {
  applyRayClusterDefaults,
  applyRayCronJobDefaults,
  applyRayJobDefaults,
  applyRayServiceDefaults,
} from '../api/defaults.ts';
import type { RayCluster, RayCronJob, RayJob, RayService } from '../api/v1/index.ts';
import { validate, type Issue, type ValidateOptions } from '../api/validation/index.ts';
import { jsonPatch } from './jsonPatch.ts';

export interface AdmissionRequest {
  uid: string;
  kind?: { group?: string; version?: string; kind?: string };
  operation?: string;
  namespace?: string;
  name?: string;
  object?: unknown;
  oldObject?: unknown;
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: { code: number; reason: string; message: string };
  warnings?: string[];
  patchType?: 'JSONPatch';
  /** base64 of the JSON Patch. */
  patch?: string;
}

export interface AdmissionOptions extends Omit<ValidateOptions, 'objects'> {
  /** --default-token-auth: new RayClusters without auth get authOptions {mode: token}. */
  defaultTokenAuth?: boolean;
}

// The API server may truncate longer warnings, and drops them past 4 KiB in total.
const MAX_WARNING = 256;
const MAX_WARNINGS_TOTAL = 4000;

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const key = (i: Issue): string => `${i.path}\u0000${i.message}`;

function clip(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

/** Admission warnings: `path: message`, then the fix if it fits; a last line when something was cut. */
export function formatWarnings(issues: readonly Issue[]): string[] {
  const out: string[] = [];
  let total = 0;
  let cut = false;
  for (const i of issues) {
    const head = `${i.path ? `${i.path}: ` : ''}${i.message}`;
    const full = `${head} (fix: ${i.hint})`;
    const w = full.length <= MAX_WARNING ? full : clip(head, MAX_WARNING);
    cut ||= w !== full;
    if (total + w.length > MAX_WARNINGS_TOTAL - 100) {
      cut = true;
      break;
    }
    out.push(w);
    total += w.length;
  }
  if (cut) out.push('run `kuray validate -f <file>` for every warning in full, with its fix');
  return out;
}

function denial(errors: readonly Issue[]): string {
  const lines = errors.map((e) => `${e.path || '(object)'}: ${e.message} (fix: ${e.hint})`);
  return `${errors.length} error(s) in the spec: ${lines.join('; ')}`;
}

export function validateAdmission(req: AdmissionRequest, opts: AdmissionOptions = {}): AdmissionResponse {
  const obj = req.object;
  if (req.operation === 'DELETE' || !isObj(obj)) return { uid: req.uid, allowed: true };
  // Finalizers coming off, cascading deletion: never block an object on its way out.
  if (isObj(obj.metadata) && obj.metadata.deletionTimestamp != null) return { uid: req.uid, allowed: true };
  const now = validate(obj, opts);
  let errors = now.errors;
  let warnings = now.warnings;
  if (req.operation === 'UPDATE' && isObj(req.oldObject)) {
    const before = validate(req.oldObject, opts);
    const had = new Set([...before.errors, ...before.warnings].map(key));
    errors = errors.filter((e) => !had.has(key(e)));
    warnings = warnings.filter((w) => !had.has(key(w)));
  }
  const res: AdmissionResponse = { uid: req.uid, allowed: errors.length === 0 };
  if (errors.length > 0) res.status = { code: 422, reason: 'Invalid', message: denial(errors) };
  if (warnings.length > 0) res.warnings = formatWarnings(warnings);
  return res;
}

/** The defaulted copy of a ray.io object (the input is not modified). */
function defaulted(kind: string, obj: Json, opts: AdmissionOptions, create: boolean): Json {
  let out: Json;
  switch (kind) {
    case 'RayCluster':
      out = applyRayClusterDefaults(obj as unknown as RayCluster);
      break;
    case 'RayJob':
      out = applyRayJobDefaults(obj as unknown as RayJob);
      break;
    case 'RayService':
      out = applyRayServiceDefaults(obj as unknown as RayService);
      break;
    case 'RayCronJob':
      out = applyRayCronJobDefaults(obj as unknown as RayCronJob);
      break;
    default:
      return obj;
  }
  // New clusters only, and only those a user creates: a RayJob's or RayService's cluster inherits
  // what its parent says (their controllers hand the token to the submitter and to Serve).
  const labels = isObj(obj.metadata) && isObj(obj.metadata.labels) ? obj.metadata.labels : {};
  if (
    kind === 'RayCluster' &&
    create &&
    opts.defaultTokenAuth &&
    labels['ray.io/originated-from-crd'] === undefined
  ) {
    const spec = out.spec as RayCluster['spec'];
    const auth = tokenAuthDefault(spec);
    if (auth) out = { ...out, spec: { ...spec, ...auth } };
  }
  return out;
}

export function mutateAdmission(req: AdmissionRequest, opts: AdmissionOptions = {}): AdmissionResponse {
  const obj = req.object;
  const kind = req.kind?.kind ?? '';
  if (!isObj(obj) || !isObj(obj.spec) || (req.operation !== 'CREATE' && req.operation !== 'UPDATE'))
    return { uid: req.uid, allowed: true };
  let after: Json;
  try {
    after = defaulted(kind, obj, opts, req.operation === 'CREATE');
  } catch {
    // A spec too malformed to default: the validating webhook says what is wrong with it.
    return { uid: req.uid, allowed: true };
  }
  const ops = jsonPatch(obj, after);
  if (ops.length === 0) return { uid: req.uid, allowed: true };
  return {
    uid: req.uid,
    allowed: true,
    patchType: 'JSONPatch',
    patch: Buffer.from(JSON.stringify(ops)).toString('base64'),
  };
}
