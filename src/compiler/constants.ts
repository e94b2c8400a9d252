// KubeRay v1.7.0's observable constants (labels, ports, env names, defaults). Kuray is a drop-in:
// the Ray autoscaler, Kueue, dashboards and users' selectors read these exact strings.

export const LABEL_CLUSTER = 'ray.io/cluster';
export const LABEL_NODE_TYPE = 'ray.io/node-type';
export const LABEL_GROUP = 'ray.io/group';
export const LABEL_IS_RAY_NODE = 'ray.io/is-ray-node';
export const LABEL_IDENTIFIER = 'ray.io/identifier';
export const LABEL_SERVE = 'ray.io/serve';
export const LABEL_HEADLESS_WORKER_SVC = 'ray.io/headless-worker-svc';
export const LABEL_ORIGINATED_FROM_CR_NAME = 'ray.io/originated-from-cr-name';
export const LABEL_ORIGINATED_FROM_CRD = 'ray.io/originated-from-crd';
export const LABEL_WORKER_REPLICA_INDEX = 'ray.io/worker-group-replica-index';
export const LABEL_WORKER_REPLICA_NAME = 'ray.io/worker-group-replica-name';
export const LABEL_REPLICA_HOST_INDEX = 'ray.io/replica-host-index';
export const LABEL_APP_NAME = 'app.kubernetes.io/name';
export const LABEL_APP_CREATED_BY = 'app.kubernetes.io/created-by';
/** Kuray's addition: the guide's Service, NetworkPolicy and `kubectl get pods -l app=ray-head` select on it. */
export const LABEL_APP = 'app';
export const APP_NAME = 'kuberay';
export const CREATED_BY = 'kuberay-operator';
export const HEAD_GROUP = 'headgroup';

export const ANNOTATION_FT_ENABLED = 'ray.io/ft-enabled';
export const ANNOTATION_EXTERNAL_STORAGE_NS = 'ray.io/external-storage-namespace';
export const ANNOTATION_OVERWRITE_CONTAINER_CMD = 'ray.io/overwrite-container-cmd';
export const ANNOTATION_ENABLE_SERVE_SERVICE = 'ray.io/enable-serve-service';
/** On clusters of SidecarMode RayJobs: once provisioned, a lost head is not recreated. */
export const ANNOTATION_DISABLE_PROVISIONED_HEAD_RESTART = 'ray.io/disable-provisioned-head-restart';

export const DEFAULT_CLIENT_PORT = 10001;
export const DEFAULT_GCS_PORT = 6379;
export const DEFAULT_DASHBOARD_PORT = 8265;
export const DEFAULT_METRICS_PORT = 8080;
export const DEFAULT_DASHBOARD_AGENT_PORT = 52365;
export const DEFAULT_SERVE_PORT = 8000;
export const PORT_CLIENT = 'client';
export const PORT_GCS = 'gcs-server';
export const PORT_DASHBOARD = 'dashboard';
export const PORT_METRICS = 'metrics';
export const PORT_SERVE = 'serve';

export const KUBERAY_VERSION = 'v1.7.0';
export const LOCAL_HOST = '127.0.0.1';
export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';

export const SHM_VOLUME = 'shared-mem';
export const SHM_PATH = '/dev/shm';
export const RAY_LOGS_VOLUME = 'ray-logs';
export const RAY_LOGS_PATH = '/tmp/ray';
export const AUTOSCALER_CONTAINER = 'autoscaler';
export const WAIT_GCS_READY_CONTAINER = 'wait-gcs-ready';

/** Which custom resource created the RayCluster (label ray.io/originated-from-crd). */
export type CreatorKind = 'RayCluster' | 'RayJob' | 'RayService';
export type NodeType = 'head' | 'worker';
