// Clients for Ray: the dashboard head (Jobs API, Serve API, nodes, cluster status) over node:http, and GCS's
// autoscaler service over gRPC (cluster resource state, DrainNode).
export {
  DashboardClient,
  isJobAlreadyExists,
  type DashboardClientOptions,
  type DashboardNode,
  type DashboardVersion,
} from './dashboard.ts';
export {
  isTerminalJobStatus,
  parseJobDetails,
  JOB_STATUSES,
  type JobDetails,
  type JobStatus,
  type JobSubmitRequest,
} from './jobs.ts';
export {
  ServeClient,
  parseServeDetails,
  proxyHealthy,
  type ServeAppStatus,
  type ServeApplicationInfo,
  type ServeClientOptions,
  type ServeDeploymentInfo,
  type ServeDetails,
} from './serve.ts';
export {
  parseClusterStatus,
  type DashboardClusterStatus,
  type PlacementGroupDemand,
  type ShapeCount,
} from './clusterStatus.ts';
export {
  RayHttpError,
  RayHttpStatusError,
  RayHttpTimeoutError,
  RayHttpConnectionError,
  RayHttpBodyError,
  httpCall,
  httpJson,
  httpText,
  type HttpOptions,
} from './http.ts';
export {
  getClusterResourceState,
  decodeClusterResourceState,
  decodeGetClusterResourceStateReply,
  type ClusterResourceState,
  type GcsNodeState,
  type GcsNodeStatus,
  type GcsCallOptions,
} from './gcs/autoscalerState.ts';
export { drainNode, type DrainReason, type DrainResult } from './gcs/drainNode.ts';
export { GrpcError, GrpcStatus } from './gcs/grpc.ts';
