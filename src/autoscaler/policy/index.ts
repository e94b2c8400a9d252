// The native autoscaler's pure policy. See src/autoscaler/README.md for the rules.
export type * from './types.ts';
export { NO_DEMAND } from './types.ts';
export { decideGroup } from './decideGroup.ts';
export { decideCluster, type ClusterInput, type ClusterDecision } from './decideCluster.ts';
export { packDemand, type PackResult } from './binpack.ts';
export { maxStep } from './upscaling.ts';
export {
  DEFAULT_POLICY_OPTIONS,
  policyOptionsFrom,
  upscalingSpeed,
  type AutoscalerOptionsLike,
} from './options.ts';
export { autoscalingMode, NATIVE_ONLY_FIELDS, type AutoscalingMode, type ModeResult } from './mode.ts';
export { nodeShapeOf, type GroupSpecLike } from './nodeShape.ts';
