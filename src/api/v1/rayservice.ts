// RayService (ray.io/v1): Ray Serve applications on a RayCluster with zero-downtime upgrades. Fields
// follow KubeRay v1.7.0 (ray-operator/apis/ray/v1/rayservice_types.go).
import type { Static } from 'typebox';
import { bool, int32, int64, mapOf, obj, openStringUnion, opt, str, stringEnum, time } from '../schema.ts';
import { conditions, service } from './core.ts';
import { objectMeta, typeMetaFields } from './meta.ts';
import { managedByField, RayClusterSpec, RayClusterStatus } from './raycluster.ts';

export const RAY_SERVICE_UPGRADE_TYPES = ['NewCluster', 'NewClusterWithIncrementalUpgrade', 'None'] as const;

export const ClusterUpgradeOptions = obj(
  {
    maxSurgePercent: opt(
      int32(
        'MaxSurgePercent is the serve capacity (percent, 0-100) the upgraded cluster scales up by at each ' +
          'step. Defaults to 100.',
        { default: 100 },
      ),
    ),
    stepSizePercent: int32(
      'StepSizePercent is the percentage of traffic moved to the upgraded RayCluster at each interval, after ' +
        'scaling by maxSurgePercent. Must be <= maxSurgePercent.',
    ),
    intervalSeconds: int32('IntervalSeconds is the time between two traffic steps. Must be > 0.'),
    gatewayClassName: str('GatewayClassName is the Gateway API GatewayClass installed by the cluster admin.'),
  },
  'ClusterUpgradeOptions configures the NewClusterWithIncrementalUpgrade strategy (needs the ' +
    'RayServiceIncrementalUpgrade feature gate, autoscaling and the Gateway API).',
);

export const RayServiceSpec = obj(
  {
    rayClusterDeletionDelaySeconds: opt(
      int32(
        'RayClusterDeletionDelaySeconds is the delay before an old RayCluster is deleted after traffic moved ' +
          'away from it. Defaults to 60. Must be >= 0.',
        { minimum: 0 },
      ),
    ),
    serviceUnhealthySecondThreshold: opt(int32('Deprecated: this field is not used anymore.')),
    deploymentUnhealthySecondThreshold: opt(int32('Deprecated: this field is not used anymore.')),
    serveService: opt(
      service(
        'ServeService overrides the Kubernetes Service (<name>-serve-svc) that sends traffic to the pods whose ' +
          'Serve proxy is healthy.',
      ),
    ),
    upgradeStrategy: opt(
      obj(
        {
          type: opt(
            stringEnum(
              RAY_SERVICE_UPGRADE_TYPES,
              'Type is the upgrade strategy: NewCluster (blue/green, default) creates a new cluster and switches ' +
                'when it is ready; NewClusterWithIncrementalUpgrade shifts traffic gradually via the Gateway API; ' +
                'None never creates a new cluster.',
            ),
          ),
          clusterUpgradeOptions: opt(ClusterUpgradeOptions),
        },
        'UpgradeStrategy defines how the RayService moves to a changed rayClusterConfig.',
      ),
    ),
    managedBy: opt(managedByField('RayService')),
    serveConfigV2: opt(
      str(
        'ServeConfigV2 is the Ray Serve multi-application config (the `applications:` YAML of `serve build`), ' +
          'as a YAML string. It is sent to the Ray dashboard of the cluster.',
      ),
    ),
    rayClusterConfig: RayClusterSpec,
    excludeHeadPodFromServeSvc: opt(
      bool(
        'ExcludeHeadPodFromServeSvc keeps the head pod out of the serve Service (ray.io/serve stays false).',
      ),
    ),
    suspend: opt(
      bool(
        'Suspend deletes every resource owned by the RayService when true; setting it back to false lets the ' +
          'operator recreate them.',
      ),
    ),
  },
  'RayServiceSpec defines the desired state of a RayService.',
);
export type RayServiceSpec = Static<typeof RayServiceSpec>;

const message = () => opt(str('Message explains the status.'));

export const AppStatus = obj(
  {
    serveDeploymentStatuses: opt(
      mapOf(
        obj(
          {
            status: opt(str('Status of the deployment: UPDATING, HEALTHY, UNHEALTHY.')),
            message: message(),
          },
          '',
        ),
        'ServeDeploymentStatuses maps each deployment of the application to its status.',
      ),
    ),
    status: opt(
      str('Status of the application: NOT_STARTED, DEPLOYING, RUNNING, DEPLOY_FAILED, DELETING, UNHEALTHY.'),
    ),
    message: message(),
  },
  '',
);

/** Per-cluster status (Go: RayServiceStatus) of the active or the pending cluster. */
export const RayServiceClusterStatus = (d: string) =>
  obj(
    {
      applicationStatuses: opt(
        mapOf(AppStatus, 'ApplicationStatuses maps each Serve application to its status.'),
      ),
      targetCapacity: opt(
        int32(
          'TargetCapacity is the Serve target_capacity percentage applied to all replicas of this cluster.',
        ),
      ),
      trafficRoutedPercent: opt(
        int32(
          'TrafficRoutedPercent is the percentage of traffic routed to this cluster (incremental upgrade).',
        ),
      ),
      lastTrafficMigratedTime: opt(
        time('LastTrafficMigratedTime is when trafficRoutedPercent last changed.'),
      ),
      rayClusterName: opt(str('RayClusterName is the name of the RayCluster.')),
      rayClusterStatus: opt(RayClusterStatus),
    },
    d,
  );
export type RayServiceClusterStatus = Static<ReturnType<typeof RayServiceClusterStatus>>;

/** The RayService's `.status` (Go: RayServiceStatuses). */
export const RayServiceStatus = obj(
  {
    conditions: opt(
      conditions(
        'Conditions are the latest observations: Ready, UpgradeInProgress, RollbackInProgress, Suspending, ' +
          'Suspended.',
      ),
    ),
    lastUpdateTime: opt(time('LastUpdateTime is when the status was last updated.')),
    serviceStatus: opt(
      openStringUnion(
        ['Running', ''],
        'ServiceStatus is "Running" when ready to serve. Deprecated: use conditions.',
      ),
    ),
    activeServiceStatus: opt(
      RayServiceClusterStatus('ActiveServiceStatus is the status of the serving cluster.'),
    ),
    pendingServiceStatus: opt(
      RayServiceClusterStatus(
        'PendingServiceStatus is the status of the cluster being prepared for an upgrade.',
      ),
    ),
    numServeEndpoints: opt(
      int32('NumServeEndpoints is the number of Ray pods selected by the serve Service and serving traffic.'),
    ),
    observedGeneration: opt(int64('ObservedGeneration is the most recent metadata.generation observed.')),
  },
  'RayServiceStatus is the observed state of the RayService, written by the operator.',
);
export type RayServiceStatus = Static<typeof RayServiceStatus>;
/** Go's name for the RayService `.status` type. */
export type RayServiceStatuses = RayServiceStatus;

export const RayService = obj(
  {
    ...typeMetaFields(),
    metadata: opt(objectMeta()),
    spec: RayServiceSpec,
    status: opt(RayServiceStatus),
  },
  'RayService deploys Ray Serve applications on a RayCluster and upgrades them without downtime.',
);
export type RayService = Static<typeof RayService>;
