// Warnings for RayCluster specs that are valid but will not work as intended, including every pitfall
// of the production guide (/work/shared/seed): exposure without auth (./exposure.ts), probes on
// endpoints Ray does not serve, environment variables Ray never reads, RAY_DASHBOARD_PORT on the metrics port, Ray images far older than the
// operator's Ray, rayStartParams that promise more than the container gets.
import { parseQuantity, type Quantity } from '../quantity.ts';
import type { Container, PodTemplateSpec, Probe, RayClusterSpec } from '../v1/index.ts';
import {
  isAutoscaling,
  LAUNCH_TIMEOUT_ENV,
  OPERATOR_RAY_VERSION,
  parseVersion,
  positiveWholeSeconds,
  rayContainer,
  rayPorts,
  rayVersionOfImage,
  type RayPorts,
} from './common.ts';
import { warnAuthAndExposure } from './exposure.ts';
import { at, type Report } from './issue.ts';

/** Env vars users set expecting Ray to read them; Ray 2.58 reads none of them (checked in its source). */
const UNREAD_ENV: Record<string, { what: string; hint: string }> = {
  RAY_DASHBOARD_PORT: {
    what: 'Ray does not read RAY_DASHBOARD_PORT; the dashboard stays on its port (8265 unless rayStartParams dashboard-port says otherwise)',
    hint: 'remove it; to move the dashboard set rayStartParams dashboard-port (and keep it off the metrics port 8080)',
  },
  RAY_OBJECT_STORE_MAX_MEMORY_BYTES: {
    what: 'Ray does not read RAY_OBJECT_STORE_MAX_MEMORY_BYTES (only RAY_DEFAULT_OBJECT_STORE_MAX_MEMORY_BYTES, which caps the default)',
    hint: 'set the object store size with rayStartParams object-store-memory, e.g. "2Gi"',
  },
  RAY_PLASMA_DIRECTORY: {
    what: 'Ray does not read RAY_PLASMA_DIRECTORY',
    hint: 'set rayStartParams plasma-directory instead',
  },
  RAY_METRICS_EXPORT_PORT: {
    what: 'Ray does not read RAY_METRICS_EXPORT_PORT; the operator starts Ray with --metrics-export-port=8080',
    hint: 'remove it; to move the metrics port set rayStartParams metrics-export-port',
  },
};

/** Minor versions behind the operator's Ray from which an image counts as "far older". */
const FAR_OLDER_MINORS = 10;

function quantity(v: unknown): Quantity | undefined {
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  try {
    return parseQuantity(v);
  } catch {
    return undefined;
  }
}

/** The port a probe's httpGet targets, resolving a named port through the container's ports. */
function probePort(c: Container, port: unknown): number | undefined {
  if (typeof port === 'number') return port;
  if (typeof port === 'string') {
    if (/^\d+$/.test(port)) return Number(port);
    return c.ports?.find((p) => p.name === port)?.containerPort;
  }
  return undefined;
}

const DEFAULT_PROBES_HINT =
  "remove the probe to get Kuray's default probes (httpGet :52365/api/healthz for Ray >= 2.53; for older Ray an exec probe on :52365/api/local_raylet_healthz, plus :8265/api/gcs_healthz on the head), or point it at port 52365, path /api/healthz";

function checkProbe(path: string, c: Container, probe: Probe | undefined, ports: RayPorts, r: Report): void {
  const get = probe?.httpGet;
  if (!get) return;
  const port = probePort(c, get.port);
  const p = get.path ?? '/';
  const where = at(at(path, 'httpGet'), 'path');
  if (port === ports.metrics) {
    r.warn(
      where,
      `the probe asks port ${port} for ${p}, but ${port} is Ray's metrics export port: Ray serves no ${p} health endpoint there (the exporter only returns metrics, and nothing listens until the dashboard agent is up), so the probe does not test Ray's health`,
      DEFAULT_PROBES_HINT,
    );
  } else if (port === ports.dashboard && !['/api/gcs_healthz', '/api/version', '/'].includes(p)) {
    r.warn(
      where,
      `the Ray dashboard (port ${port}) does not serve ${p}; the probe fails and the kubelet restarts the container`,
      `use path /api/gcs_healthz on port ${port}, or ${DEFAULT_PROBES_HINT}`,
    );
  } else if (port === ports.agent && !['/api/healthz', '/api/local_raylet_healthz'].includes(p)) {
    r.warn(
      where,
      `the Ray dashboard agent (port ${port}) does not serve ${p}; the probe fails`,
      `use /api/healthz (Ray >= 2.53) or /api/local_raylet_healthz`,
    );
  } else if (port === ports.gcs || port === ports.client) {
    r.warn(
      at(at(path, 'httpGet'), 'port'),
      `port ${port} is Ray's ${port === ports.gcs ? 'GCS' : 'client'} gRPC port, not HTTP; an httpGet probe there fails`,
      DEFAULT_PROBES_HINT,
    );
  } else if (port !== undefined && (p === '/healthz' || p === '/ready') && port !== ports.serve) {
    r.warn(
      where,
      `Ray serves no ${p} endpoint (on port ${port} or anywhere); the probe fails unless another process in the container serves it`,
      DEFAULT_PROBES_HINT,
    );
  }
}

function checkRayContainer(
  path: string,
  t: PodTemplateSpec,
  params: Record<string, string> | undefined,
  r: Report,
): void {
  const c = rayContainer(t);
  if (!c) return;
  const ports = rayPorts(params);
  for (const kind of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
    checkProbe(at(path, kind), c, c[kind], ports, r);
  }
  const metricsPort = c.ports?.find((p) => p.name === 'metrics')?.containerPort;
  (c.env ?? []).forEach((e, i) => {
    const ep = at(at(path, 'env'), i);
    if (
      e.name === 'RAY_DASHBOARD_PORT' &&
      e.value !== undefined &&
      (Number(e.value) === metricsPort || Number(e.value) === ports.metrics)
    ) {
      r.warn(
        ep,
        `RAY_DASHBOARD_PORT is ${e.value}, the port named "metrics" (Ray's metrics export port ${ports.metrics}). Ray does not read this variable, and if the dashboard were moved there it would collide with the metrics exporter`,
        'remove RAY_DASHBOARD_PORT: the dashboard is on 8265 and Prometheus scrapes metrics on 8080; if you need another dashboard port, set rayStartParams dashboard-port to a free port (not 8080)',
      );
      return;
    }
    const unread = UNREAD_ENV[e.name];
    if (unread) r.warn(ep, unread.what, unread.hint);
  });
  if (metricsPort !== undefined && metricsPort !== ports.metrics) {
    r.warn(
      at(path, 'ports'),
      `the container port named "metrics" is ${metricsPort}, but Ray exports metrics on ${ports.metrics}`,
      `set containerPort ${ports.metrics} for the metrics port, or set rayStartParams metrics-export-port "${metricsPort}"`,
    );
  }
}

function checkResourcesVsParams(
  path: string,
  t: PodTemplateSpec,
  params: Record<string, string> | undefined,
  r: Report,
): void {
  const c = rayContainer(t);
  const limits = (c?.resources?.limits ?? {}) as Record<string, unknown>;
  if (!params) return;
  const pp = at(path, 'rayStartParams');
  const memLimit = quantity(limits.memory);
  const memParam = quantity(params.memory);
  if (memParam && memLimit && memParam.cmp(memLimit) > 0) {
    r.warn(
      at(pp, 'memory'),
      `rayStartParams memory ${params.memory} is more than the container memory limit ${String(limits.memory)}: Ray schedules tasks for memory the pod does not have and the kernel OOM-kills it`,
      'set memory at most the memory limit, or omit it to use the limit',
    );
  }
  const osm = quantity(params['object-store-memory']);
  const memCap = memParam ?? memLimit;
  if (osm && memCap && osm.cmp(memCap) >= 0) {
    r.warn(
      at(pp, 'object-store-memory'),
      `object-store-memory ${params['object-store-memory']} is not less than the node's memory ${memParam ? params.memory : String(limits.memory)}: nothing is left for the Ray workers' heap`,
      'keep the object store well below the memory (Ray defaults it to 30%)',
    );
  }
  const cpuLimit = quantity(limits.cpu);
  const cpus = params['num-cpus'];
  if (cpuLimit && cpus !== undefined && /^\d+$/.test(cpus) && BigInt(cpus) > cpuLimit.value()) {
    r.warn(
      at(pp, 'num-cpus'),
      `num-cpus ${cpus} is more than the container CPU limit ${String(limits.cpu)}: Ray runs ${cpus} tasks at once on fewer CPUs and they are throttled`,
      'set num-cpus at most the CPU limit, or omit it to use the limit',
    );
  }
  const gpuKey = Object.keys(limits).find((k) => k.endsWith('gpu'));
  const gpuLimit = gpuKey ? quantity(limits[gpuKey]) : undefined;
  const gpus = params['num-gpus'];
  if (gpus !== undefined && /^\d+$/.test(gpus)) {
    const n = BigInt(gpus);
    if (n > 0n && (!gpuLimit || n > gpuLimit.value())) {
      r.warn(
        at(pp, 'num-gpus'),
        `num-gpus ${gpus} but the container ${gpuLimit ? `has only ${String(limits[gpuKey!])} GPU(s)` : 'requests no GPU'}: GPU tasks scheduled there fail`,
        'request the GPUs in resources.limits (e.g. nvidia.com/gpu: 1) or lower num-gpus',
      );
    } else if (n === 0n && gpuLimit && gpuLimit.sign() > 0) {
      r.warn(
        at(pp, 'num-gpus'),
        `num-gpus is 0 but the container gets ${String(limits[gpuKey!])} GPU(s): Ray will not schedule GPU work on them`,
        'remove num-gpus to use the GPU limit',
      );
    }
  }
}

function checkImages(p: string, spec: RayClusterSpec, r: Report): void {
  const op = parseVersion(OPERATOR_RAY_VERSION)!;
  const seen: { path: string; version: string }[] = [];
  const visit = (path: string, t: PodTemplateSpec): void => {
    const img = rayContainer(t)?.image;
    const v = rayVersionOfImage(img);
    if (!v) return;
    seen.push({ path, version: v });
    const pv = parseVersion(v);
    if (pv && pv[0] === op[0] && op[1] - pv[1] >= FAR_OLDER_MINORS) {
      r.warn(
        `${path}.spec.containers[0].image`,
        `${img} is Ray ${v}, far older than the Ray ${OPERATOR_RAY_VERSION} Kuray is built and tested for: default probes, autoscaler v2, token auth and the Jobs/Serve APIs differ or are missing`,
        `use rayproject/ray:${OPERATOR_RAY_VERSION} (with the same tag suffix, e.g. -py311-gpu) and set spec.rayVersion: "${OPERATOR_RAY_VERSION}"`,
      );
    }
  };
  visit(`${p}.headGroupSpec.template`, spec.headGroupSpec.template);
  (spec.workerGroupSpecs ?? []).forEach((g, i) => {
    visit(`${p}.workerGroupSpecs[${i}].template`, g.template);
  });
  const head = seen[0];
  for (const s of seen.slice(1)) {
    if (head && s.version !== head.version) {
      r.warn(
        `${s.path}.spec.containers[0].image`,
        `the workers run Ray ${s.version} but the head runs Ray ${head.version}; Ray nodes of different versions cannot join one cluster`,
        'use the same Ray version on every node',
      );
    }
  }
  if (spec.rayVersion && head && spec.rayVersion !== head.version) {
    r.warn(
      at(p, 'rayVersion'),
      `rayVersion is ${spec.rayVersion} but the head image runs Ray ${head.version}; the operator picks probes and features by rayVersion`,
      `set rayVersion: "${head.version}"`,
    );
  }
}

const NATIVE_AUTOSCALER_FIELDS = [
  'targetUtilizationFraction',
  'cpuUtilizationThreshold',
  'memoryUtilizationThreshold',
  'cooldownPeriodSeconds',
  'metricsPort',
  'enableMetrics',
] as const;

export function warnRayClusterSpec(
  p: string,
  spec: RayClusterSpec,
  clusterName: string | undefined,
  r: Report,
): void {
  const head = spec.headGroupSpec;
  const hp = at(p, 'headGroupSpec');
  checkRayContainer(`${hp}.template.spec.containers[0]`, head.template, head.rayStartParams, r);
  checkResourcesVsParams(hp, head.template, head.rayStartParams, r);
  const host = head.rayStartParams?.['dashboard-host'];
  if (host === '127.0.0.1' || host === 'localhost') {
    r.warn(
      `${hp}.rayStartParams.dashboard-host`,
      `the dashboard listens on ${host} only: the head Service, workers' job submission and kubectl port-forward to the Service cannot reach it`,
      'remove dashboard-host (default 0.0.0.0) and restrict access with a NetworkPolicy instead',
    );
  }
  (spec.workerGroupSpecs ?? []).forEach((g, i) => {
    const gp = at(at(p, 'workerGroupSpecs'), i);
    checkRayContainer(`${gp}.template.spec.containers[0]`, g.template, g.rayStartParams, r);
    checkResourcesVsParams(gp, g.template, g.rayStartParams, r);
    const { replicas, minReplicas: min, maxReplicas: max } = g;
    if (
      typeof replicas === 'number' &&
      typeof min === 'number' &&
      typeof max === 'number' &&
      min <= max &&
      (replicas < min || replicas > max)
    ) {
      r.warn(
        at(gp, 'replicas'),
        `replicas ${replicas} is outside [minReplicas ${min}, maxReplicas ${max}]; the operator runs ${replicas < min ? min : max}`,
        'set replicas within the bounds',
      );
    }
    if (
      clusterName !== undefined &&
      typeof g.groupName === 'string' &&
      `${clusterName}-${g.groupName}`.length > 50
    ) {
      r.warn(
        at(gp, 'groupName'),
        `"${clusterName}-${g.groupName}" is longer than 50 characters: worker pod names keep only its last 50, so pods of different groups or clusters may look alike`,
        'shorten the cluster or group name',
      );
    }
  });
  checkImages(p, spec, r);
  warnAuthAndExposure(p, spec, r);
  if (isAutoscaling(spec) && spec.autoscalerOptions?.version === 'v1') {
    // KubeRay emits this as a Warning event (raycluster_controller.go), not an error.
    (spec.workerGroupSpecs ?? []).forEach((g, i) => {
      const rp = g.template.spec?.restartPolicy;
      if (rp !== undefined && rp !== '' && rp !== 'Never') {
        r.warn(
          `${p}.workerGroupSpecs[${i}].template.spec.restartPolicy`,
          `restartPolicy for worker group ${g.groupName} should be Never or unset with autoscaler v1 (is ${rp}): a worker that restarts in place keeps a pod the autoscaler already considers gone`,
          'remove restartPolicy or set it to Never',
        );
      }
    });
  }
  if (isAutoscaling(spec)) warnInTreeMemory(p, spec, r);
  const ao = spec.autoscalerOptions;
  if (ao && isAutoscaling(spec)) {
    for (const f of NATIVE_AUTOSCALER_FIELDS) {
      if (ao[f] !== undefined) {
        r.warn(
          at(at(p, 'autoscalerOptions'), f),
          `${f} is read by Kuray's native autoscaler, which does not run when enableInTreeAutoscaling is true (Ray's autoscaler scales by resource demand and ignores it)`,
          'remove it, or set enableInTreeAutoscaling: false to let Kuray scale on utilization',
        );
      }
    }
  }
  if (ao && !isAutoscaling(spec)) warnNativeMetrics(at(p, 'autoscalerOptions'), spec, r);
  (ao?.env ?? []).forEach((e, i) => {
    if (e.name !== LAUNCH_TIMEOUT_ENV || positiveWholeSeconds(e.value) !== undefined) return;
    r.warn(
      at(at(at(at(p, 'autoscalerOptions'), 'env'), i), e.valueFrom ? 'valueFrom' : 'value'),
      `${LAUNCH_TIMEOUT_ENV} must be a whole number of seconds above 0` +
        (e.valueFrom
          ? ' set as value (valueFrom is not read by the operator)'
          : ` (is ${JSON.stringify(e.value ?? '')})`) +
        ': both autoscalers use their default, 3600 s, for how long a worker pod may take to become a Ray node',
      'set value to the seconds, e.g. "1800"',
    );
  });
  if (ao && !isAutoscaling(spec) && NATIVE_AUTOSCALER_FIELDS.some((f) => ao[f] !== undefined)) {
    (spec.workerGroupSpecs ?? []).forEach((g, i) => {
      if ((g.numOfHosts ?? 1) > 1)
        r.warn(
          `${p}.workerGroupSpecs[${i}].numOfHosts`,
          `Kuray's native autoscaler does not scale multi-host groups: ${g.groupName} keeps the replicas you set`,
          "set enableInTreeAutoscaling: true to let Ray's autoscaler scale multi-host replicas, or scale this group yourself",
        );
    });
  }
}

/**
 * Ray's in-tree autoscaler reads rayStartParams from the RayCluster itself and parses memory with
 * int() (autoscaling_config.py): Kuray turns "4Gi" into bytes for ray start, but the autoscaler
 * container crash-loops on it (seed 07 with enableInTreeAutoscaling, measured on the rig).
 */
function warnInTreeMemory(p: string, spec: RayClusterSpec, r: Report): void {
  const groups: [string, Record<string, string> | undefined][] = [
    [at(p, 'headGroupSpec'), spec.headGroupSpec.rayStartParams],
    ...(spec.workerGroupSpecs ?? []).map((g, i): [string, Record<string, string> | undefined] => [
      at(at(p, 'workerGroupSpecs'), i),
      g.rayStartParams,
    ]),
  ];
  for (const [gp, params] of groups) {
    const v = params?.memory;
    if (typeof v !== 'string' || /^\d+$/.test(v.trim())) continue;
    const bytes = quantity(v);
    r.warn(
      at(at(gp, 'rayStartParams'), 'memory'),
      `Ray's in-tree autoscaler reads memory ${JSON.stringify(v)} from the RayCluster and parses it with int(): its container crash-loops ("invalid literal for int() with base 10"), so nothing scales (Kuray converts it only for ray start)`,
      bytes
        ? `write it in bytes: memory: "${bytes.value().toString()}", or omit it to use the container's memory limit`
        : "write it in bytes, or omit it to use the container's memory limit",
    );
  }
}

/** Native mode reads utilization from Ray's metrics on metricsPort: say when that cannot work. */
function warnNativeMetrics(ap: string, spec: RayClusterSpec, r: Report): void {
  const ao = spec.autoscalerOptions!;
  const thresholds = (['cpuUtilizationThreshold', 'memoryUtilizationThreshold'] as const).filter(
    (f) => ao[f] !== undefined,
  );
  if (ao.enableMetrics === false && thresholds.length > 0) {
    r.warn(
      at(ap, 'enableMetrics'),
      `enableMetrics is false, so ${thresholds.join(' and ')} ${thresholds.length > 1 ? 'are' : 'is'} never evaluated: only pending resource demand scales the cluster up`,
      'remove enableMetrics (metrics are read whenever a utilization threshold is set) or remove the thresholds',
    );
  }
  if (ao.metricsPort === undefined || thresholds.length === 0) return;
  const params = [
    spec.headGroupSpec.rayStartParams,
    ...(spec.workerGroupSpecs ?? []).map((g) => g.rayStartParams),
  ];
  const exported = new Set(params.map((rp) => rayPorts(rp).metrics));
  if (!exported.has(ao.metricsPort) || exported.size > 1) {
    r.warn(
      at(ap, 'metricsPort'),
      `metricsPort ${ao.metricsPort} is where the native autoscaler reads each Ray node's metrics, but the nodes export them on ${[...exported].join(', ')}`,
      `set metricsPort to ${[...exported][0]} or set rayStartParams metrics-export-port "${ao.metricsPort}" on every group`,
    );
  }
}
