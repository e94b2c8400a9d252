// RayCluster (ray.io/v1): the schema is the one source of truth; the TypeScript types are Static<> of
// it and the CRD is generated from it. Field names, types, enums, defaults and required lists follow
// KubeRay v1.7.0 (ray-operator/apis/ray/v1/raycluster_types.go) so that the Ray autoscaler, Kueue and
// existing manifests keep working; descriptions are KubeRay's doc comments, extended where they were
// missing or did not say what a value does.
import type { Static } from 'typebox';
import {
  arr,
  bool,
  int32,
  int64,
  mapOf,
  num,
  obj,
  openStringUnion,
  opt,
  quantity,
  str,
  stringEnum,
  stringMap,
  time,
} from '../schema.ts';
import {
  conditions,
  egressRules,
  envFromSources,
  envVarSource,
  envVars,
  ingressRules,
  ingressTLS,
  podTemplate,
  resourceRequirements,
  securityContext,
  service,
  volumeMounts,
} from './core.ts';
import { objectMeta, typeMetaFields } from './meta.ts';

/** KubeRay's maxInt32 default for maxReplicas. */
export const MAX_REPLICAS_DEFAULT = 2147483647;

export const UPSCALING_MODES = ['Default', 'Aggressive', 'Conservative'] as const;
export const AUTOSCALER_VERSIONS = ['v1', 'v2'] as const;
export const RAY_CLUSTER_UPGRADE_TYPES = ['Recreate', 'None'] as const;
export const AUTH_MODES = ['disabled', 'token'] as const;
export const GCS_FT_BACKENDS = ['redis', 'rocksdb'] as const;
export const GCS_STORAGE_DELETION_POLICIES = ['DeleteWithCluster', 'Retain'] as const;
export const NETWORK_POLICY_MODES = ['DenyAll', 'DenyAllIngress', 'DenyAllEgress'] as const;
export const INGRESS_PATH_TYPES = ['Exact', 'Prefix', 'ImplementationSpecific'] as const;
export const PULL_POLICIES = ['Always', 'Never', 'IfNotPresent'] as const;
export const MANAGED_BY_VALUES = ['ray.io/kuberay-operator', 'kueue.x-k8s.io/multikueue'] as const;
export const CLUSTER_STATES = ['ready', 'suspended', 'failed'] as const;

/** The CEL rules KubeRay puts on every `managedBy` field. */
export const managedByField = (kind: string) =>
  str(
    `ManagedBy is an optional configuration for the controller or entity that manages a ${kind}. ` +
      `The value must be either 'ray.io/kuberay-operator' or 'kueue.x-k8s.io/multikueue'. The operator ` +
      `reconciles a ${kind} which doesn't have this field at all or whose value is 'ray.io/kuberay-operator', ` +
      `but leaves a ${kind} with 'kueue.x-k8s.io/multikueue' to Kueue (MultiKueue). The field is immutable.`,
    {
      'x-kubernetes-validations': [
        { message: 'the managedBy field is immutable', rule: 'self == oldSelf' },
        {
          message:
            "the managedBy field value must be either 'ray.io/kuberay-operator' or 'kueue.x-k8s.io/multikueue'",
          rule: "self in ['ray.io/kuberay-operator', 'kueue.x-k8s.io/multikueue']",
        },
      ],
    },
  );

const pullPolicy = (d: string) => stringEnum(PULL_POLICIES, d);

export const AutoscalerOptions = obj(
  {
    resources: opt(
      resourceRequirements(
        'Resources specifies optional resource request and limit overrides for the autoscaler container. ' +
          'Default values: 500m CPU request and limit, 512Mi memory request and limit.',
      ),
    ),
    image: opt(
      str(
        "Image optionally overrides the autoscaler's container image (default: the head's Ray image). " +
          'This override is provided for autoscaler testing and development.',
      ),
    ),
    imagePullPolicy: opt(
      pullPolicy(
        "ImagePullPolicy optionally overrides the autoscaler container's image pull policy (default IfNotPresent).",
      ),
    ),
    securityContext: opt(
      securityContext(
        'SecurityContext defines the security options the autoscaler container should be run with. If set, ' +
          'the fields of SecurityContext override the equivalent fields of PodSecurityContext. More info: ' +
          'https://kubernetes.io/docs/tasks/configure-pod-container/security-context/',
      ),
    ),
    idleTimeoutSeconds: opt(
      int32(
        'IdleTimeoutSeconds is the number of seconds to wait before scaling down a worker pod which is not ' +
          'using Ray resources. Defaults to 60 (one minute). Must be >= 0. Read by the autoscaler, not by the ' +
          'operator.',
      ),
    ),
    upscalingMode: opt(
      stringEnum(
        UPSCALING_MODES,
        'UpscalingMode is "Conservative", "Default", or "Aggressive". Conservative: upscaling is rate-limited; ' +
          'the number of pending worker pods is at most the size of the Ray cluster. Default: upscaling is not ' +
          'rate-limited. Aggressive: an alias for Default; upscaling is not rate-limited. Read by the autoscaler.',
      ),
    ),
    version: opt(
      stringEnum(
        AUTOSCALER_VERSIONS,
        'Version is the version of the Ray autoscaler. v1 explicitly uses autoscaler v1, v2 explicitly uses ' +
          'autoscaler v2. If unset, the Ray version decides: from Ray 2.47.0 the default is v2, before that v1. ' +
          'Autoscaler v2 requires restartPolicy Never (or unset) on head and worker pods.',
      ),
    ),
    env: opt(envVars('Optional list of environment variables to set in the autoscaler container.')),
    envFrom: opt(
      envFromSources(
        'Optional list of sources to populate environment variables in the autoscaler container.',
      ),
    ),
    volumeMounts: opt(
      volumeMounts(
        'Optional list of volumeMounts for the autoscaler container. This is needed for enabling TLS for the ' +
          'autoscaler container.',
      ),
    ),
    command: opt(
      arr(str(''), 'Optional list that overwrites the default command of the autoscaler container.'),
    ),
    args: opt(arr(str(''), 'Optional list that overwrites the default args of the autoscaler container.')),
    // Kuray extensions from the production guide: read by Kuray's autoscaler (src/autoscaler), ignored
    // by KubeRay's. They describe a utilization-driven policy next to Ray's demand-driven one.
    targetUtilizationFraction: opt(
      num(
        'Kuray extension. TargetUtilizationFraction is the fraction (0, 1] of the cluster resources the ' +
          'autoscaler aims to keep in use: above it, workers are added; well below it, idle workers are removed. ' +
          'For example 0.8 keeps 20% headroom. Ignored by KubeRay.',
        { exclusiveMinimum: 0, maximum: 1 },
      ),
    ),
    cpuUtilizationThreshold: opt(
      num(
        'Kuray extension. CPUUtilizationThreshold (0, 1]: when the used fraction of the Ray logical CPUs ' +
          'exceeds it, the autoscaler scales up. Example 0.7. Ignored by KubeRay.',
        { exclusiveMinimum: 0, maximum: 1 },
      ),
    ),
    memoryUtilizationThreshold: opt(
      num(
        'Kuray extension. MemoryUtilizationThreshold (0, 1]: when the used fraction of the Ray memory ' +
          'exceeds it, the autoscaler scales up. Example 0.8. Ignored by KubeRay.',
        { exclusiveMinimum: 0, maximum: 1 },
      ),
    ),
    metricsPort: opt(
      int32(
        'Kuray extension. MetricsPort is the TCP port (1-65535) on which the autoscaler exposes Prometheus ' +
          'metrics about its decisions when enableMetrics is true. Must not collide with a Ray port of the head ' +
          '(Ray exports its own metrics on 8080 by default). Ignored by KubeRay.',
        { minimum: 1, maximum: 65535 },
      ),
    ),
    enableMetrics: opt(
      bool(
        'Kuray extension. EnableMetrics turns on the Prometheus metrics endpoint of the autoscaler ' +
          '(see metricsPort). Default false. Ignored by KubeRay.',
      ),
    ),
    cooldownPeriodSeconds: opt(
      int32(
        'Kuray extension. CooldownPeriodSeconds is the minimum number of seconds between two scaling ' +
          'decisions of the same direction for a worker group, to stop flapping. Must be >= 0; 0 disables ' +
          'the cooldown. Example 300. Ignored by KubeRay.',
        { minimum: 0 },
      ),
    ),
  },
  'AutoscalerOptions specifies optional configuration for the Ray autoscaler (the sidecar injected into ' +
    'the head pod when enableInTreeAutoscaling is true).',
);
export type AutoscalerOptions = Static<typeof AutoscalerOptions>;

const redisCredential = (d: string) =>
  obj(
    {
      valueFrom: opt(envVarSource('Source for the credential, e.g. a key of a Secret (secretKeyRef).')),
      value: opt(str('The credential as a literal value. Prefer valueFrom with a Secret.')),
    },
    d,
  );

export const GcsEmbeddedStorage = obj(
  {
    claimName: opt(
      str(
        'ClaimName is the name of an existing, user-provided PersistentVolumeClaim to use as the RocksDB ' +
          'store ("bring your own" PVC). The operator consumes it as-is and never creates, deletes or resizes it. ' +
          'Mutually exclusive with size/storageClassName/accessModes. This is the supported way to keep GCS ' +
          'state across a RayService zero-downtime upgrade (point every generation at the same claim).',
      ),
    ),
    size: opt(
      quantity(
        'Size of the operator-managed PVC (e.g. "1Gi"). Defaults to 1Gi. Ignored when claimName is set. The ' +
          'PVC is created once and not reconfigured in place.',
      ),
    ),
    storageClassName: opt(
      str(
        'StorageClassName for the operator-managed PVC. Uses the cluster default StorageClass when omitted. ' +
          'Ignored when claimName is set.',
      ),
    ),
    accessModes: opt(
      arr(
        stringEnum(['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'], ''),
        'AccessModes for the operator-managed PVC. Defaults to [ReadWriteOnce]. Ignored when claimName is ' +
          'set. RocksDB requires a single writer at a time even with ReadWriteMany.',
      ),
    ),
    subPath: opt(str('SubPath mounts a subdirectory of the volume instead of its root.')),
    deletionPolicy: opt(
      stringEnum(
        GCS_STORAGE_DELETION_POLICIES,
        'DeletionPolicy controls the operator-managed PVC when the RayCluster is deleted: DeleteWithCluster ' +
          '(default; the PVC is garbage-collected with the cluster) or Retain (the PVC outlives the cluster; ' +
          "recover it by pointing a new cluster's claimName at it). Ignored when claimName is set.",
      ),
    ),
  },
  'Storage configures the persistent volume backing the embedded RocksDB store. Only used when backend is ' +
    '"rocksdb".',
);

export const GcsFaultToleranceOptions = obj(
  {
    backend: opt(
      stringEnum(
        GCS_FT_BACKENDS,
        'Backend selects the GCS fault-tolerance persistence backend: "redis" (default; an external Redis) or ' +
          '"rocksdb" (an embedded RocksDB on a volume of the head pod; needs the GCSFaultToleranceEmbeddedStorage ' +
          'feature gate). Immutable.',
        {
          'x-kubernetes-validations': [
            { message: 'gcsFaultToleranceOptions.backend is immutable', rule: 'self == oldSelf' },
          ],
        },
      ),
    ),
    redisUsername: opt(redisCredential('RedisUsername is the Redis username, as a value or a reference.')),
    redisPassword: opt(redisCredential('RedisPassword is the Redis password, as a value or a reference.')),
    externalStorageNamespace: opt(
      str(
        "ExternalStorageNamespace isolates this cluster's GCS data inside Redis. Defaults to the RayCluster " +
          'UID. Set it to keep GCS state across a RayService upgrade.',
      ),
    ),
    redisAddress: opt(
      str(
        'RedisAddress is the address (host:port or redis://...) of the external Redis used by backend "redis".',
      ),
    ),
    storage: opt(GcsEmbeddedStorage),
  },
  'GcsFaultToleranceOptions enables GCS fault tolerance: the head persists cluster metadata so that a ' +
    'restarted head recovers actors, jobs and placement groups and workers stay connected.',
);
export type GcsFaultToleranceOptions = Static<typeof GcsFaultToleranceOptions>;

export const IngressOptions = obj(
  {
    host: opt(
      str(
        'Host is the fully-qualified domain name used to route external traffic to the Ray head dashboard. ' +
          'When unset, the generated ingress rule matches any host.',
      ),
    ),
    path: opt(str('Path is the HTTP path that routes to the Ray head dashboard. Defaults to "/".')),
    pathType: opt(
      stringEnum(
        INGRESS_PATH_TYPES,
        'PathType is the path matching mode applied to path. Defaults to "Prefix", which works without a ' +
          'rewrite-target annotation or controller-specific regex support.',
      ),
    ),
    tls: opt(ingressTLS('TLS configures TLS termination for the generated ingress.')),
  },
  'IngressOptions defines the host, path, and TLS configuration for the ingress generated for the head ' +
    'group (when enableIngress is true).',
);

const groupResources = (group: string) =>
  stringMap(
    `Resources specifies the Ray logical resource quantities for the ${group}, e.g. {"CPU": "4", "GPU": "1", ` +
      '"memory": "8Gi", "custom": "2"}. These values override the num-cpus/num-gpus/memory/resources entries ' +
      'of rayStartParams (do not set both), but have no effect on the container resources of the pod.',
  );
const groupLabels = (group: string) =>
  stringMap(
    `Labels specifies the Ray node labels for the ${group}. They are also added to the pods of the group and ` +
      'override the --labels argument of rayStartParams (which must not be set).',
  );

export const HeadGroupSpec = obj(
  {
    template: podTemplate(
      'Template is the pod template of the head pod. The Ray container must be containers[0]; Kuray adds the ' +
        '`ray start --head` command, ports, probes, env and labels unless you set them.',
    ),
    headService: opt(
      service(
        'HeadService overrides the Kubernetes Service of the head pod. Its metadata.name, if set, replaces ' +
          'the default name <cluster>-head-svc.',
      ),
    ),
    enableIngress: opt(
      bool('EnableIngress indicates whether the operator should create an Ingress for the head dashboard.'),
    ),
    ingressOptions: opt(IngressOptions),
    resources: opt(groupResources('head group')),
    labels: opt(groupLabels('head group')),
    rayStartParams: opt(
      stringMap(
        'RayStartParams are the flags of `ray start --head`, without the leading dashes, all as strings: ' +
          'e.g. {"num-cpus": "2", "memory": "4Gi", "dashboard-host": "0.0.0.0"}. num-cpus/num-gpus/memory ' +
          "default to the Ray container's limits; memory and object-store-memory accept Kubernetes quantities.",
      ),
    ),
    serviceType: opt(
      str(
        'ServiceType is the Kubernetes service type of the head service (ClusterIP, NodePort, LoadBalancer). ' +
          'Workers use the head service to reach the head. ClusterIP (the default) creates a headless service.',
      ),
    ),
  },
  'HeadGroupSpec is the spec for the head pod: the one pod running the GCS, the dashboard and the driver ' +
    'API of the Ray cluster.',
);
export type HeadGroupSpec = Static<typeof HeadGroupSpec>;

export const ScaleStrategy = obj(
  {
    workersToDelete: opt(
      arr(
        str(''),
        'WorkersToDelete lists the names of the worker pods to delete. Written by the Ray autoscaler together ' +
          'with replicas when it scales down; the operator deletes exactly these pods.',
      ),
    ),
  },
  'ScaleStrategy defines which pods to remove when scaling the group down.',
);

export const WorkerGroupSpec = obj(
  {
    suspend: opt(
      bool(
        'Suspend indicates whether the worker group should be suspended: a suspended worker group has all ' +
          'its pods deleted. This is not a user-facing API; it is used by the RayJob deletion strategy ' +
          'DeleteWorkers.',
      ),
    ),
    groupName: str(
      'GroupName identifies the worker group. Names must be unique within the cluster; the name is used in ' +
        'pod names, the ray.io/group label and the Ray node type, so it must be a valid DNS label.',
    ),
    replicas: opt(
      int32(
        'Replicas is the number of desired replicas (pods, or pod sets when numOfHosts > 1) for this worker ' +
          'group, clamped to [minReplicas, maxReplicas]. With the autoscaler enabled, the autoscaler owns this ' +
          'field. Defaults to 0.',
        { default: 0 },
      ),
    ),
    minReplicas: int32('MinReplicas denotes the minimum number of desired replicas for this worker group.', {
      default: 0,
    }),
    maxReplicas: int32(
      'MaxReplicas denotes the maximum number of desired replicas for this worker group; the default is ' +
        'maxInt32 (2147483647).',
      { default: MAX_REPLICAS_DEFAULT },
    ),
    idleTimeoutSeconds: opt(
      int32(
        'IdleTimeoutSeconds denotes the number of seconds to wait before the v2 autoscaler terminates an idle ' +
          'worker pod of this group. Only used with autoscaler v2; defaults to autoscalerOptions.idleTimeoutSeconds.',
      ),
    ),
    priority: opt(
      int32(
        'Priority influences which worker group the autoscaler prefers when multiple groups can satisfy the ' +
          'same resource demand. Higher priority groups are preferred for scale-up. Only honored by Ray ' +
          'Autoscaler v2 (Ray >= 2.56).',
        { default: 0 },
      ),
    ),
    resources: opt(groupResources('worker group')),
    labels: opt(groupLabels('worker group')),
    rayStartParams: opt(
      stringMap(
        'RayStartParams are the flags of `ray start` for the workers of this group, without the leading ' +
          'dashes, all as strings: e.g. {"num-cpus": "2", "memory": "4Gi"}. address is filled in by the operator.',
      ),
    ),
    template: podTemplate(
      'Template is the pod template of the worker pods. The Ray container must be containers[0].',
    ),
    scaleStrategy: opt(ScaleStrategy),
    numOfHosts: opt(
      int32(
        'NumOfHosts denotes the number of hosts (pods) to create per replica, for multi-host accelerators ' +
          '(e.g. TPU slices). The default value is 1.',
        { default: 1 },
      ),
    ),
  },
  'WorkerGroupSpec is the spec for one group of identical worker pods.',
);
export type WorkerGroupSpec = Static<typeof WorkerGroupSpec>;

const networkPolicyRules = (d: string) =>
  obj(
    {
      ingressRules: opt(
        ingressRules(
          'IngressRules are custom ingress rules appended to the base policy. Only meaningful when the mode ' +
            'denies ingress (DenyAll or DenyAllIngress).',
        ),
      ),
      egressRules: opt(
        egressRules(
          'EgressRules are custom egress rules appended to the base policy. Only meaningful when the mode ' +
            'denies egress (DenyAll or DenyAllEgress). DNS egress is NOT added automatically: you must allow ' +
            'it here (e.g. to kube-system pods labeled k8s-app=kube-dns on port 53), because Ray workers reach ' +
            'the head through its service FQDN.',
        ),
      ),
    },
    d,
  );

export const NetworkPolicyConfig = obj(
  {
    mode: opt(
      stringEnum(
        NETWORK_POLICY_MODES,
        'Mode controls the security level; every mode permits intra-cluster pod-to-pod traffic. DenyAll ' +
          '(default) denies all other ingress and egress, DenyAllIngress denies other ingress, DenyAllEgress ' +
          'denies other egress.',
        { default: 'DenyAll' },
      ),
    ),
    head: opt(networkPolicyRules("Head specifies custom rules appended to the head pod's NetworkPolicy.")),
    worker: opt(
      networkPolicyRules(
        "Worker specifies custom rules appended to the worker pods' NetworkPolicy; the default for every " +
          'worker group without an entry in workerGroups.',
      ),
    ),
    workerGroups: opt(
      arr(
        obj(
          {
            groupName: str('GroupName matches a workerGroupSpecs[].groupName.'),
            ingressRules: opt(ingressRules('IngressRules are custom ingress rules for this group.')),
            egressRules: opt(egressRules('EgressRules are custom egress rules for this group (add DNS).')),
          },
          'Rules bound to one worker group.',
        ),
        'WorkerGroups specifies per-worker-group rules, keyed by group name; an entry replaces (does not ' +
          'merge with) worker for that group.',
        { 'x-kubernetes-list-map-keys': ['groupName'], 'x-kubernetes-list-type': 'map' },
      ),
    ),
  },
  'NetworkPolicy specifies optional network isolation (needs the RayClusterNetworkPolicy feature gate). ' +
    'Separate NetworkPolicies are created for head and worker pods; intra-cluster traffic is always allowed. ' +
    'DNS egress is not added automatically under DenyAll/DenyAllEgress: add it or the cluster cannot start.',
);

export const RayClusterSpec = obj(
  {
    upgradeStrategy: opt(
      obj(
        {
          type: opt(
            stringEnum(
              RAY_CLUSTER_UPGRADE_TYPES,
              'Type is the strategy used when the pod templates change: Recreate deletes all pods and creates ' +
                'new ones; None (the default behaviour) never replaces existing pods.',
            ),
          ),
        },
        'UpgradeStrategy defines how pods are replaced when the RayCluster spec changes. Not allowed on ' +
          'clusters created by a RayJob or RayService.',
      ),
    ),
    authOptions: opt(
      obj(
        {
          enableK8sTokenAuth: opt(
            bool(
              'EnableK8sTokenAuth enables Kubernetes-delegated token authentication (RAY_ENABLE_K8S_TOKEN_AUTH); ' +
                'needs Ray >= 2.55 and mode token. Unsupported for RayJob and RayService.',
            ),
          ),
          secretName: opt(
            str(
              'SecretName is the name of a Secret holding the token under key auth_token. If set, the operator ' +
                'does not generate a per-cluster token Secret.',
            ),
          ),
          mode: opt(
            stringEnum(
              AUTH_MODES,
              'Mode is the authentication mode: "disabled" or "token" (token authentication on the Ray ' +
                'dashboard and GCS; needs Ray >= 2.52). Defaults to "token" when authOptions is set.',
            ),
          ),
        },
        'AuthOptions specifies the authentication options for the RayCluster.',
      ),
    ),
    suspend: opt(
      bool(
        'Suspend indicates whether the RayCluster should be suspended: a suspended RayCluster has its head and ' +
          'worker pods deleted (atomically) and recreated when suspend is set back to false.',
      ),
    ),
    managedBy: opt(managedByField('RayCluster')),
    autoscalerOptions: opt(AutoscalerOptions),
    headServiceAnnotations: opt(
      stringMap(
        'HeadServiceAnnotations are added to the head Service (they win over headService annotations).',
      ),
    ),
    enableInTreeAutoscaling: opt(
      bool(
        'EnableInTreeAutoscaling runs the Ray autoscaler as a sidecar of the head pod (with its ServiceAccount, ' +
          'Role and RoleBinding); the autoscaler then owns workerGroupSpecs[].replicas.',
      ),
    ),
    gcsFaultToleranceOptions: opt(GcsFaultToleranceOptions),
    historyServerOptions: opt(
      obj(
        {
          collectorOptions: opt(
            obj(
              {
                image: opt(
                  str('Image is the collector container image (e.g. quay.io/kuberay/collector:latest).'),
                ),
                imagePullPolicy: opt(
                  pullPolicy('ImagePullPolicy is the pull policy for the collector image.'),
                ),
                resources: opt(resourceRequirements('Resources of the collector container.')),
                env: opt(
                  envVars(
                    'Env adds environment variables to the collector container (e.g. STORAGE_BACKEND).',
                  ),
                ),
              },
              'CollectorOptions configures the ray-history-collector sidecar injected into every Ray pod.',
            ),
          ),
        },
        'HistoryServerOptions configures log/event collection for the Ray history server (needs the ' +
          'RayClusterHistoryServer feature gate).',
      ),
    ),
    networkPolicy: opt(NetworkPolicyConfig),
    tlsOptions: opt(
      obj(
        {
          enabled: opt(
            bool(
              'Enabled controls whether mTLS is active for this RayCluster. Defaults to false when omitted.',
            ),
          ),
        },
        'TLSOptions configures mTLS between Ray processes, with certificates from cert-manager (needs the ' +
          'RayClusterMTLS feature gate).',
      ),
    ),
    headGroupSpec: HeadGroupSpec,
    rayVersion: opt(
      str(
        'RayVersion is the version of Ray in the images (e.g. "2.58.0"). The operator uses it to choose probe ' +
          "types, the autoscaler version and the features it may enable; keep it equal to the image's Ray.",
      ),
    ),
    workerGroupSpecs: opt(arr(WorkerGroupSpec, 'WorkerGroupSpecs are the specs for the worker pods.')),
  },
  'RayClusterSpec defines the desired state of a RayCluster: one head group and any number of worker ' +
    'groups.',
);
export type RayClusterSpec = Static<typeof RayClusterSpec>;

export const HeadInfo = obj(
  {
    podIP: opt(str('PodIP is the IP of the head pod.')),
    serviceIP: opt(str('ServiceIP is the cluster IP of the head service (the head pod IP when headless).')),
    podName: opt(str('PodName is the name of the head pod.')),
    serviceName: opt(str('ServiceName is the name of the head service.')),
  },
  'Head gives information about the head pod and service.',
);

export const RayClusterStatus = obj(
  {
    state: opt(
      openStringUnion(
        CLUSTER_STATES,
        'State is the overall state of the cluster: "ready" once all pods were running and ready, ' +
          '"suspended" when suspended. Deprecated: use conditions.',
      ),
    ),
    desiredCPU: opt(quantity('DesiredCPU is the total number of CPUs requested by all desired pods.')),
    desiredMemory: opt(quantity('DesiredMemory is the total memory requested by all desired pods.')),
    desiredGPU: opt(quantity('DesiredGPU is the total number of GPUs requested by all desired pods.')),
    desiredTPU: opt(quantity('DesiredTPU is the total number of TPUs requested by all desired pods.')),
    lastUpdateTime: opt(time('LastUpdateTime is the last time this status was updated.', { nullable: true })),
    stateTransitionTimes: opt(
      mapOf(time(''), 'StateTransitionTimes records when the cluster last entered each state.'),
    ),
    endpoints: opt(stringMap('Endpoints maps each head service port name to its port.')),
    head: opt(HeadInfo),
    reason: opt(str('Reason provides more information about the current state.')),
    conditions: opt(
      conditions(
        'Conditions are the latest observations of the cluster: RayClusterProvisioned, HeadPodReady, ' +
          'ReplicaFailure, RayClusterSuspending, RayClusterSuspended.',
      ),
    ),
    readyWorkerReplicas: opt(int32('ReadyWorkerReplicas is the number of worker pods in the Ready state.')),
    availableWorkerReplicas: opt(
      int32('AvailableWorkerReplicas is the number of worker pods currently available (running).'),
    ),
    desiredWorkerReplicas: opt(
      int32('DesiredWorkerReplicas is the sum of replicas * numOfHosts over all worker groups.'),
    ),
    minWorkerReplicas: opt(
      int32('MinWorkerReplicas is the sum of minReplicas * numOfHosts over all worker groups.'),
    ),
    maxWorkerReplicas: opt(
      int32('MaxWorkerReplicas is the sum of maxReplicas * numOfHosts over all worker groups.'),
    ),
    observedGeneration: opt(
      int64('ObservedGeneration is the most recent metadata.generation observed for this RayCluster.'),
    ),
  },
  'RayClusterStatus is the observed state of the RayCluster, written by the operator.',
);
export type RayClusterStatus = Static<typeof RayClusterStatus>;

export const RayCluster = obj(
  {
    ...typeMetaFields(),
    metadata: opt(objectMeta()),
    spec: RayClusterSpec,
    status: opt(RayClusterStatus),
  },
  'RayCluster is a Ray cluster on Kubernetes: a head pod and groups of worker pods, managed by the operator ' +
    '(and scaled by the Ray autoscaler when enableInTreeAutoscaling is true).',
);
export type RayCluster = Static<typeof RayCluster>;
