// Pod and service labels (KubeRay's labelPod / HeadServiceLabels) plus Kuray's `app` label.
import {
  APP_NAME,
  CREATED_BY,
  HEAD_GROUP,
  LABEL_APP,
  LABEL_APP_CREATED_BY,
  LABEL_APP_NAME,
  LABEL_CLUSTER,
  LABEL_GROUP,
  LABEL_IDENTIFIER,
  LABEL_IS_RAY_NODE,
  LABEL_NODE_TYPE,
  type NodeType,
} from './constants.ts';
import { checkLabel } from './names.ts';

// Users may not move a pod to another cluster, node type or group by labelling the template.
const PROTECTED = new Set([LABEL_NODE_TYPE, LABEL_GROUP, LABEL_CLUSTER]);

/** `<cluster>-<type>`, trimmed to a label value. */
export function identifier(cluster: string, nodeType: NodeType): string {
  return checkLabel(`${cluster}-${nodeType}`);
}

/** Template labels merged with the group's `labels` field (the group field wins). */
export function mergeGroupLabels(
  templateLabels: Readonly<Record<string, string>> | undefined,
  groupLabels: Readonly<Record<string, string>> | undefined,
): Record<string, string> {
  return { ...templateLabels, ...groupLabels };
}

/** The labels of a Ray pod: KubeRay's set, `app: ray-head|ray-worker`, then the user's (protected keys excepted). */
export function podLabels(
  nodeType: NodeType,
  cluster: string,
  group: string,
  userLabels: Readonly<Record<string, string>>,
): Record<string, string> {
  const labels: Record<string, string> = {
    [LABEL_IS_RAY_NODE]: 'yes',
    [LABEL_CLUSTER]: cluster,
    [LABEL_NODE_TYPE]: nodeType,
    [LABEL_GROUP]: nodeType === 'head' ? HEAD_GROUP : group,
    [LABEL_IDENTIFIER]: identifier(cluster, nodeType),
    [LABEL_APP_NAME]: APP_NAME,
    [LABEL_APP_CREATED_BY]: CREATED_BY,
    [LABEL_APP]: nodeType === 'head' ? 'ray-head' : 'ray-worker',
  };
  for (const [k, v] of Object.entries(userLabels)) {
    if (!PROTECTED.has(k)) labels[k] = v;
  }
  return labels;
}

/** The head Service's selector and labels: always these five keys (KubeRay ignores user selectors). */
export function headServiceSelector(
  cluster: string,
  overrides: Readonly<Record<string, string>>,
): Record<string, string> {
  const defaults: Record<string, string> = {
    [LABEL_CLUSTER]: cluster,
    [LABEL_NODE_TYPE]: 'head',
    [LABEL_IDENTIFIER]: identifier(cluster, 'head'),
    [LABEL_APP_NAME]: APP_NAME,
    [LABEL_APP_CREATED_BY]: CREATED_BY,
  };
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(defaults)) out[k] = overrides[k] ?? v;
  return out;
}

/** Labels KubeRay puts on the autoscaler ServiceAccount, Role and RoleBinding. */
export function rbacLabels(cluster: string): Record<string, string> {
  return { [LABEL_CLUSTER]: cluster, [LABEL_APP_NAME]: APP_NAME, [LABEL_APP_CREATED_BY]: CREATED_BY };
}
