// KubeRay v1.7.0's observable RayService strings (condition types and reasons, annotations, Event
// reasons), plus Kuray's one addition, the ServeConfigApplied condition. Users' alerts and scripts
// match on these, so they are KubeRay's exactly.

export const FINALIZER = 'ray.io/rayservice-finalizer';

export const ANNOTATION_INITIALIZING_TIMEOUT = 'ray.io/initializing-timeout';
export const ANNOTATION_HASH = 'ray.io/hash-without-replicas-and-workers-to-delete';
export const ANNOTATION_NUM_WORKER_GROUPS = 'ray.io/num-worker-groups';
export const ANNOTATION_KUBERAY_VERSION = 'ray.io/kuberay-version';

/** Condition types (RayServiceConditionType). */
export const COND_READY = 'Ready';
export const COND_UPGRADE_IN_PROGRESS = 'UpgradeInProgress';
export const COND_ROLLBACK_IN_PROGRESS = 'RollbackInProgress';
export const COND_SUSPENDING = 'Suspending';
export const COND_SUSPENDED = 'Suspended';
/**
 * Kuray's addition: whether the current serveConfigV2 runs on the cluster it is meant for (the pending
 * one during an upgrade). KubeRay only logs these failures; here a YAML error (with its line), a
 * config Ray rejected, a failed application (with Ray's message) or an unreachable dashboard shows in
 * `kubectl get rayservice -o yaml` while the applications that already serve keep serving.
 */
export const COND_SERVE_CONFIG_APPLIED = 'ServeConfigApplied';

/** Condition reasons (RayServiceConditionReason). */
export const REASON = {
  initializing: 'Initializing',
  initializingTimeout: 'InitializingTimeout',
  zeroServeEndpoints: 'ZeroServeEndpoints',
  nonZeroServeEndpoints: 'NonZeroServeEndpoints',
  bothClustersExist: 'BothActivePendingClustersExist',
  noPendingCluster: 'NoPendingCluster',
  noActiveCluster: 'NoActiveCluster',
  validationFailed: 'ValidationFailed',
  desiredClusterSpecChanged: 'DesiredClusterSpecChanged',
  suspendRequested: 'SuspendRequested',
  suspendInProgress: 'SuspendInProgress',
  suspendComplete: 'SuspendComplete',
  resumed: 'RayServiceResumed',
  // Kuray: the incremental strategy's Gateway API is not installed.
  gatewayAPIMissing: 'GatewayAPIMissing',
} as const;

/** Reasons of the ServeConfigApplied condition (Kuray). */
export const SERVE_REASON = {
  running: 'ApplicationsRunning',
  deploying: 'ApplicationsDeploying',
  failed: 'ApplicationFailed',
  invalidConfig: 'InvalidServeConfig',
  rejected: 'ServeConfigRejected',
  dashboardUnreachable: 'DashboardUnreachable',
  waitingForHead: 'WaitingForHeadPod',
  noConfig: 'NoServeConfig',
} as const;

/** Event reasons (utils.K8sEventType), KubeRay's names. */
export const EVENT = {
  invalidSpec: 'InvalidRayServiceSpec',
  invalidMetadata: 'InvalidRayServiceMetadata',
  createdCluster: 'CreatedRayCluster',
  failedCreateCluster: 'FailedToCreateRayCluster',
  updatedCluster: 'UpdatedRayCluster',
  failedUpdateCluster: 'FailedToUpdateRayCluster',
  deletedCluster: 'DeletedRayCluster',
  failedDeleteCluster: 'FailedToDeleteRayCluster',
  createdService: 'CreatedService',
  failedCreateService: 'FailedToCreateService',
  updatedService: 'UpdatedService',
  failedUpdateService: 'FailedToUpdateService',
  deletedService: 'DeletedService',
  failedDeleteService: 'FailedToDeleteService',
  updatedServeApps: 'UpdatedServeApplications',
  failedUpdateServeApps: 'FailedToUpdateServeApplications',
  updatedServeLabel: 'UpdatedHeadPodServeLabel',
  failedUpdateServeLabel: 'FailedToUpdateHeadPodServeLabel',
  initializingTimeout: 'RayServiceInitializingTimeout',
  // Kuray: an application turned DEPLOY_FAILED or UNHEALTHY (Ray's message), once per transition.
  serveAppFailed: 'ServeApplicationFailed',
  createdGateway: 'CreatedGateway',
  updatedGateway: 'UpdatedGateway',
  createdHTTPRoute: 'CreatedHTTPRoute',
  updatedHTTPRoute: 'UpdatedHTTPRoute',
  updatedTargetCapacity: 'UpdatedServeTargetCapacity',
} as const;

/** KubeRay requeues a RayService every 2 s (ServiceDefaultRequeueDuration). */
export const REQUEUE_MS = 2_000;
/** rayClusterDeletionDelaySeconds' default. */
export const DEFAULT_DELETION_DELAY_S = 60;
