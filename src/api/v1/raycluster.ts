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
  obj,
  openStringUnion,
  opt,
  quantity,
  intOrPercent,
  str,
  stringEnum,
  stringMap,
  time,
} from '../schema.ts';
import { conditions, envVars, resourceRequirements } from './core.ts';
import {
  RAY_CLUSTER_UPGRADE_TYPES,
  AUTH_MODES,
  CLUSTER_STATES,
  managedByField,
  pullPolicy,
} from './enums.ts';
import { objectMeta, typeMetaFields } from './meta.ts';
import { AutoscalerOptions } from './autoscaler-options.ts';
import { AutoscalerStatus } from './autoscaler-status.ts';
import { GcsFaultToleranceOptions } from './gcs.ts';
import { NetworkPolicyConfig } from './network-policy.ts';
import { HeadGroupSpec, WorkerGroupSpec } from './groups.ts';

export * from './enums.ts';
export * from './autoscaler-options.ts';
export * from './autoscaler-status.ts';
export * from './gcs.ts';
export * from './network-policy.ts';
export * from './groups.ts';

export const RayClusterSpec = obj(
  {
    upgradeStrategy: opt(
      obj(
        {
          type: opt(
            stringEnum(
              RAY_CLUSTER_UPGRADE_TYPES,
              'Type is the strategy used when the pod templates change: Recreate deletes all pods and creates ' +
                'new ones; None (the default behaviour) never replaces existing pods; RollingUpdate (a Kuray-only ' +
                'extension, not in KubeRay) replaces the worker pods of a group whose template changed, at most ' +
                'rollingUpdate.maxUnavailable at a time, and never restarts the head.',
            ),
          ),
          rollingUpdate: opt(
            obj(
              {
                maxUnavailable: opt(
                  intOrPercent(
                    'MaxUnavailable is how many worker pods of a group may be down at once during a rolling ' +
                      'update: a count (e.g. 2) or a percentage of the group\'s replicas (e.g. "25%", rounded ' +
                      'down, at least 1). Default 1. Kuray-only.',
                  ),
                ),
              },
              'RollingUpdate tunes upgradeStrategy.type RollingUpdate (Kuray-only; KubeRay rejects this field). ' +
                'Each outdated worker pod is deleted and its replacement created at once (no surge: Ray workers ' +
                "are interchangeable, and extra pods could exceed a quota or the autoscaler's maxReplicas).",
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
          'operator flag --feature-gates=RayClusterHistoryServer=true, Helm featureGates).',
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
          'operator flag --feature-gates=RayClusterMTLS=true, Helm featureGates).',
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
    autoscaler: opt(AutoscalerStatus),
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
