// Errors in the optional RayCluster features: GCS fault tolerance, history server, mTLS, token auth and
// NetworkPolicy, as KubeRay v1.7.0 validates them (validation.go), including their feature gates.
import type { EnvVar, RayClusterSpec } from '../v1/index.ts';
import { envByName, parseVersion, rayContainer, versionLess } from './common.ts';
import { enableGateHint, gateEnabled } from './features.ts';
import { at, type Report } from './issue.ts';
import { dns1123Label } from './names.ts';
import type { ClusterContext } from './raycluster.ts';

const FT_ANNOTATION = 'ray.io/ft-enabled';
const EXTERNAL_NS_ANNOTATION = 'ray.io/external-storage-namespace';

export function checkGcsFaultTolerance(
  p: string,
  spec: RayClusterSpec,
  ctx: ClusterContext,
  r: Report,
): void {
  const head = rayContainer(spec.headGroupSpec.template);
  const env = head?.env;
  const envPath = `${p}.headGroupSpec.template.spec.containers[0].env`;
  const opts = spec.gcsFaultToleranceOptions;
  const ftAnnotation = ctx.annotations[FT_ANNOTATION];
  if ((ftAnnotation ?? '') !== '' && opts) {
    r.error(
      at(p, 'gcsFaultToleranceOptions'),
      `the ${FT_ANNOTATION} annotation and gcsFaultToleranceOptions are both set`,
      `remove the annotation; gcsFaultToleranceOptions alone enables GCS fault tolerance`,
    );
  }
  const ftEnabled = ftAnnotation?.toLowerCase() === 'true' || opts !== undefined;
  if (!ftEnabled && envByName(env, 'RAY_REDIS_ADDRESS')) {
    r.error(
      envPath,
      'RAY_REDIS_ADDRESS is set, which implicitly enables GCS fault tolerance, but gcsFaultToleranceOptions is not set',
      'set gcsFaultToleranceOptions.redisAddress instead of the env var',
    );
  }
  const params = spec.headGroupSpec.rayStartParams ?? {};
  if (opts) {
    const op = at(p, 'gcsFaultToleranceOptions');
    if ((params['redis-password'] ?? '') !== '') {
      r.error(
        `${p}.headGroupSpec.rayStartParams.redis-password`,
        'redis-password cannot be set in rayStartParams with gcsFaultToleranceOptions',
        'use gcsFaultToleranceOptions.redisPassword',
      );
    }
    if (envByName(env, 'REDIS_PASSWORD'))
      r.error(
        envPath,
        'REDIS_PASSWORD cannot be set on the head with gcsFaultToleranceOptions',
        'use gcsFaultToleranceOptions.redisPassword',
      );
    if (envByName(env, 'RAY_REDIS_ADDRESS'))
      r.error(
        envPath,
        'RAY_REDIS_ADDRESS cannot be set on the head with gcsFaultToleranceOptions',
        'use gcsFaultToleranceOptions.redisAddress',
      );
    if ((ctx.annotations[EXTERNAL_NS_ANNOTATION] ?? '') !== '') {
      r.error(
        'metadata.annotations',
        `the ${EXTERNAL_NS_ANNOTATION} annotation cannot be used with gcsFaultToleranceOptions`,
        'use gcsFaultToleranceOptions.externalStorageNamespace',
      );
    }
    if (opts.backend === 'rocksdb') {
      if (!gateEnabled(ctx.featureGates, 'GCSFaultToleranceEmbeddedStorage')) {
        r.error(
          at(op, 'backend'),
          'the rocksdb backend needs the GCSFaultToleranceEmbeddedStorage feature gate',
          `${enableGateHint('GCSFaultToleranceEmbeddedStorage')}, or use backend redis`,
        );
      }
      for (const f of [
        'redisAddress',
        'redisUsername',
        'redisPassword',
        'externalStorageNamespace',
      ] as const) {
        if (opts[f] !== undefined && opts[f] !== '')
          r.error(
            at(op, f),
            `${f} cannot be set when backend is rocksdb`,
            'remove it (it applies to the redis backend only)',
          );
      }
      const st = opts.storage;
      if (
        st?.claimName &&
        (st.size !== undefined || st.storageClassName !== undefined || (st.accessModes?.length ?? 0) > 0)
      ) {
        r.error(
          at(at(op, 'storage'), 'claimName'),
          'claimName is mutually exclusive with size, storageClassName and accessModes',
          'use either your own PVC (claimName) or an operator-managed one (size/class/modes)',
        );
      }
      if (envByName(env, 'RAY_gcs_storage') || envByName(env, 'RAY_gcs_storage_path')) {
        r.error(
          envPath,
          'RAY_gcs_storage / RAY_gcs_storage_path are managed by the operator with the rocksdb backend',
          'remove them',
        );
      }
      for (const m of head?.volumeMounts ?? []) {
        if (m.mountPath === '/data/gcs' || m.name === 'gcs-storage') {
          r.error(
            `${p}.headGroupSpec.template.spec.containers[0].volumeMounts`,
            'a volume mount named gcs-storage or at /data/gcs is managed by the operator with the rocksdb backend',
            'remove it',
          );
        }
      }
      for (const v of spec.headGroupSpec.template.spec?.volumes ?? []) {
        if (v.name === 'gcs-storage')
          r.error(
            `${p}.headGroupSpec.template.spec.volumes`,
            'a volume named gcs-storage is managed by the operator with the rocksdb backend',
            'remove it',
          );
      }
    } else if (opts.storage !== undefined) {
      r.error(
        at(op, 'storage'),
        'storage only applies to the rocksdb backend',
        'remove storage or set backend: rocksdb',
      );
    }
  }
  if ((params['redis-username'] ?? '') !== '' || envByName(env, 'REDIS_USERNAME')) {
    r.error(
      `${p}.headGroupSpec`,
      'the Redis username cannot be set in rayStartParams or env',
      'use gcsFaultToleranceOptions.redisUsername',
    );
  }
}

const COLLECTOR = 'ray-history-collector';
const COLLECTOR_RESERVED_ENV = [
  'POD_IP',
  'FQ_RAY_IP',
  'RAY_CLUSTER_NAME',
  'RAY_CLUSTER_NAMESPACE',
  'RAY_ROLE',
  'OWNER_KIND',
  'OWNER_NAME',
  'EVENTS_PORT',
];

function hasValue(env: EnvVar[] | undefined, name: string): boolean {
  const e = envByName(env, name);
  return e !== undefined && ((e.value ?? '') !== '' || e.valueFrom !== undefined);
}

export function checkHistoryServer(p: string, spec: RayClusterSpec, ctx: ClusterContext, r: Report): void {
  const hs = spec.historyServerOptions;
  if (!hs) return;
  const hp = at(p, 'historyServerOptions');
  if (!gateEnabled(ctx.featureGates, 'RayClusterHistoryServer')) {
    r.error(
      hp,
      'historyServerOptions needs the RayClusterHistoryServer feature gate',
      `${enableGateHint('RayClusterHistoryServer')}, or remove historyServerOptions`,
    );
  }
  const co = hs.collectorOptions;
  if (!co) {
    r.error(
      at(hp, 'collectorOptions'),
      'historyServerOptions.collectorOptions must be set',
      'set collectorOptions.image and its env (STORAGE_BACKEND, ...)',
    );
    return;
  }
  const cp = at(hp, 'collectorOptions');
  if (!co.image)
    r.error(
      at(cp, 'image'),
      'collectorOptions.image must be set',
      'set the collector image, e.g. quay.io/kuberay/collector:<version>',
    );
  for (const name of COLLECTOR_RESERVED_ENV) {
    if (envByName(co.env, name))
      r.error(
        at(cp, 'env'),
        `collectorOptions.env must not contain ${name}: the operator injects it`,
        `remove ${name}`,
      );
  }
  const backend = envByName(co.env, 'STORAGE_BACKEND')?.value ?? '';
  const need = (name: string, why: string): void => {
    if (!hasValue(co.env, name))
      r.error(at(cp, 'env'), `${name} must be set when ${why}`, `add ${name} to collectorOptions.env`);
  };
  switch (backend.toUpperCase()) {
    case '':
      r.error(
        at(cp, 'env'),
        'STORAGE_BACKEND must be set with a literal value in collectorOptions.env',
        'set STORAGE_BACKEND to GCS, S3, AZUREBLOB or ALIYUNOSS',
      );
      break;
    case 'GCS':
      need('GCS_BUCKET', 'STORAGE_BACKEND is GCS');
      break;
    case 'S3':
      need('S3_REGION', 'STORAGE_BACKEND is S3');
      break;
    case 'ALIYUNOSS':
      for (const n of ['ALIYUN_BUCKET', 'ALIYUN_ENDPOINT', 'ALIYUN_REGION'])
        need(n, 'STORAGE_BACKEND is ALIYUNOSS');
      break;
    case 'AZUREBLOB': {
      const mode = (envByName(co.env, 'AZURE_STORAGE_AUTH_MODE')?.value ?? '').trim().toLowerCase();
      if (mode === 'connection_string')
        need('AZURE_STORAGE_CONNECTION_STRING', 'AZURE_STORAGE_AUTH_MODE is connection_string');
      else if (mode === 'workload_identity' || mode === 'default')
        need('AZURE_STORAGE_ACCOUNT_URL', `AZURE_STORAGE_AUTH_MODE is ${mode}`);
      else if (
        !hasValue(co.env, 'AZURE_STORAGE_CONNECTION_STRING') &&
        !hasValue(co.env, 'AZURE_STORAGE_ACCOUNT_URL')
      ) {
        r.error(
          at(cp, 'env'),
          'AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_ACCOUNT_URL must be set when STORAGE_BACKEND is AZUREBLOB',
          'add one of them',
        );
      }
      break;
    }
  }
  const clash = (template: RayClusterSpec['headGroupSpec']['template'], path: string): void => {
    (template.spec?.containers ?? []).forEach((c, i) => {
      if (c.name === COLLECTOR)
        r.error(
          `${path}.spec.containers[${i}].name`,
          `a container named ${COLLECTOR} clashes with the injected history collector`,
          'rename the container',
        );
    });
  };
  clash(spec.headGroupSpec.template, `${p}.headGroupSpec.template`);
  (spec.workerGroupSpecs ?? []).forEach((g, i) => {
    clash(g.template, `${p}.workerGroupSpecs[${i}].template`);
  });
}

const TLS_ENV = ['RAY_USE_TLS', 'RAY_TLS_SERVER_CERT', 'RAY_TLS_SERVER_KEY', 'RAY_TLS_CA_CERT'];

export function checkTls(p: string, spec: RayClusterSpec, ctx: ClusterContext, r: Report): void {
  if (!spec.tlsOptions) return;
  if (!gateEnabled(ctx.featureGates, 'RayClusterMTLS')) {
    r.error(
      at(p, 'tlsOptions'),
      'tlsOptions needs the RayClusterMTLS feature gate (and cert-manager)',
      `${enableGateHint('RayClusterMTLS')}, or remove tlsOptions`,
    );
    return;
  }
  if (spec.tlsOptions.enabled !== true) return;
  const checkContainer = (
    c: { env?: EnvVar[]; volumeMounts?: { name: string; mountPath: string }[] } | undefined,
    path: string,
  ): void => {
    for (const n of TLS_ENV)
      if (envByName(c?.env, n))
        r.error(`${path}.env`, `${n} is managed by the operator when tlsOptions is enabled`, `remove ${n}`);
    for (const m of c?.volumeMounts ?? []) {
      if (m.name === 'ray-tls' || m.mountPath === '/etc/ray/tls')
        r.error(
          `${path}.volumeMounts`,
          'a volume mount named ray-tls or at /etc/ray/tls is managed by the operator when tlsOptions is enabled',
          'remove it',
        );
    }
  };
  checkContainer(rayContainer(spec.headGroupSpec.template), `${p}.headGroupSpec.template.spec.containers[0]`);
  (spec.workerGroupSpecs ?? []).forEach((g, i) => {
    checkContainer(rayContainer(g.template), `${p}.workerGroupSpecs[${i}].template.spec.containers[0]`);
  });
  if (spec.autoscalerOptions) checkContainer(spec.autoscalerOptions, `${p}.autoscalerOptions`);
}

export function checkAuth(p: string, spec: RayClusterSpec, r: Report): void {
  const ao = spec.authOptions;
  if (!ao) return;
  const ap = at(p, 'authOptions');
  const k8s = ao.enableK8sTokenAuth === true;
  if (ao.mode === 'token') {
    const rv = spec.rayVersion ? parseVersion(spec.rayVersion) : undefined;
    if (!spec.rayVersion) {
      r.error(
        at(p, 'rayVersion'),
        "authOptions.mode is 'token' but rayVersion is not set; Ray 2.52.0 or later is required",
        'set rayVersion to the Ray version of your image, e.g. "2.58.0"',
      );
    } else if (!rv) {
      r.error(
        at(p, 'rayVersion'),
        `rayVersion ${JSON.stringify(spec.rayVersion)} is not a version`,
        'use e.g. "2.58.0"',
      );
    } else {
      if (versionLess(rv, [2, 52, 0]))
        r.error(
          at(ap, 'mode'),
          `token authentication needs Ray 2.52.0 or later, rayVersion is ${spec.rayVersion}`,
          'upgrade Ray or remove authOptions',
        );
      if (k8s && versionLess(rv, [2, 55, 0]))
        r.error(
          at(ap, 'enableK8sTokenAuth'),
          `Kubernetes token authentication needs Ray 2.55.0 or later, rayVersion is ${spec.rayVersion}`,
          'upgrade Ray or remove enableK8sTokenAuth',
        );
    }
    if (k8s && (ao.secretName ?? '') !== '')
      r.error(
        at(ap, 'secretName'),
        'enableK8sTokenAuth and secretName cannot both be set',
        'remove one of them',
      );
  } else if (k8s) {
    r.error(
      at(ap, 'enableK8sTokenAuth'),
      "enableK8sTokenAuth needs authOptions.mode 'token'",
      'set mode: token',
    );
  }
}

export function checkNetworkPolicy(p: string, spec: RayClusterSpec, ctx: ClusterContext, r: Report): void {
  const np = spec.networkPolicy;
  if (!np) return;
  const npp = at(p, 'networkPolicy');
  if (!gateEnabled(ctx.featureGates, 'RayClusterNetworkPolicy')) {
    r.error(
      npp,
      'spec.networkPolicy needs the RayClusterNetworkPolicy feature gate',
      `${enableGateHint('RayClusterNetworkPolicy')}, or remove networkPolicy`,
    );
  }
  const mode = np.mode ?? 'DenyAll';
  const rules = (
    path: string,
    x: { ingressRules?: unknown[]; egressRules?: unknown[] } | undefined,
    what: string,
  ): void => {
    if (!x) return;
    if (mode === 'DenyAllEgress' && (x.ingressRules?.length ?? 0) > 0)
      r.error(
        at(path, 'ingressRules'),
        `${what} ingressRules cannot be set when mode is DenyAllEgress (ingress is not restricted)`,
        'remove them or use mode DenyAll',
      );
    if (mode === 'DenyAllIngress' && (x.egressRules?.length ?? 0) > 0)
      r.error(
        at(path, 'egressRules'),
        `${what} egressRules cannot be set when mode is DenyAllIngress (egress is not restricted)`,
        'remove them or use mode DenyAll',
      );
  };
  rules(at(npp, 'head'), np.head, 'networkPolicy.head');
  rules(at(npp, 'worker'), np.worker, 'networkPolicy.worker');
  const names = new Set<string>();
  (spec.workerGroupSpecs ?? []).forEach((g, i) => {
    for (const m of dns1123Label(g.groupName)) {
      r.error(
        `${p}.workerGroupSpecs[${i}].groupName`,
        `worker group name ${JSON.stringify(g.groupName)} ${m} (it is part of the NetworkPolicy name when networkPolicy is set)`,
        'use lower-case letters, digits and "-"',
      );
    }
    names.add(g.groupName);
  });
  (np.workerGroups ?? []).forEach((wg, i) => {
    const wp = at(at(npp, 'workerGroups'), i);
    rules(wp, wg, `networkPolicy.workerGroups[${JSON.stringify(wg.groupName)}]`);
    if (!names.has(wg.groupName))
      r.error(
        at(wp, 'groupName'),
        `networkPolicy.workerGroups[${JSON.stringify(wg.groupName)}] does not match any group in workerGroupSpecs`,
        'use the groupName of a worker group',
      );
  });
}
