// KWOK's Stage configuration for the rig: the kwok binary does nothing without stages (kwokctl
// normally supplies them). These are our own, written for what Kuray's tests need from a kubelet:
//   node-ready      a managed Node that is not Ready becomes Ready, keeps the capacity the rig wrote
//   node-heartbeat  refreshes node conditions every few minutes (leases are renewed by kwok itself)
//   pod-running     a bound Pending pod becomes Running and Ready in one status write, with an IP
//   job-pod-done    a Running pod owned by a Job exits 0 (finishes e.g. a RayJob submitter)
//   pod-gone        a pod marked for deletion is removed (the kubelet's part of graceful deletion)
// Templates use kwok's template functions (Now, Quote, NodeConditions, NodeIP, PodIPsWith, …).
import { toYamlStream } from '../src/util/yaml.ts';

interface Expr {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

function stage(
  name: string,
  kind: 'Pod' | 'Node',
  match: Expr[],
  next: Record<string, unknown>,
  delay?: { durationMilliseconds: number; jitterDurationMilliseconds?: number },
): Record<string, unknown> {
  return {
    apiVersion: 'kwok.x-k8s.io/v1alpha1',
    kind: 'Stage',
    metadata: { name },
    spec: {
      resourceRef: { apiGroup: 'v1', kind },
      selector: { matchExpressions: match },
      ...(delay ? { delay } : {}),
      next,
    },
  };
}

const readyStatus = '.status.conditions.[] | select( .type == "Ready" ) | .status';

const nodeConditions = `
conditions:
{{ range NodeConditions }}
- type: {{ .type | Quote }}
  status: {{ .status | Quote }}
  reason: {{ .reason | Quote }}
  message: {{ .message | Quote }}
  lastHeartbeatTime: {{ $now | Quote }}
  lastTransitionTime: {{ $since | Quote }}
{{ end }}`;

const nodeReadyTemplate = `{{ $now := Now }}
{{ $since := or .metadata.creationTimestamp $now }}
${nodeConditions}
addresses:
{{ with NodeIP }}
- type: InternalIP
  address: {{ . | Quote }}
{{ end }}
- type: Hostname
  address: {{ .metadata.name | Quote }}
{{ with NodePort }}
daemonEndpoints:
  kubeletEndpoint:
    Port: {{ . }}
{{ end }}
{{ with .status.capacity }}
capacity:
{{ YAML . 1 }}
{{ end }}
{{ with .status.allocatable }}
allocatable:
{{ YAML . 1 }}
{{ end }}
nodeInfo:
  architecture: amd64
  operatingSystem: linux
  kubeletVersion: {{ printf "kwok-%s" Version | Quote }}
  kubeProxyVersion: {{ printf "kwok-%s" Version | Quote }}
  containerRuntimeVersion: {{ printf "kwok-%s" Version | Quote }}
  kernelVersion: {{ printf "kwok-%s" Version | Quote }}
  osImage: "kuray-rig"
  machineID: {{ .metadata.name | Quote }}
  systemUUID: {{ .metadata.uid | Quote }}
  bootID: ""
phase: Running
`;

const nodeHeartbeatTemplate = `{{ $now := Now }}
{{ $since := or .metadata.creationTimestamp $now }}
${nodeConditions}
`;

const podRunningTemplate = `{{ $now := Now }}
conditions:
- type: Initialized
  status: "True"
  lastTransitionTime: {{ $now | Quote }}
- type: ContainersReady
  status: "True"
  lastTransitionTime: {{ $now | Quote }}
- type: Ready
  status: "True"
  lastTransitionTime: {{ $now | Quote }}
{{ range .spec.readinessGates }}
- type: {{ .conditionType | Quote }}
  status: "True"
  lastTransitionTime: {{ $now | Quote }}
{{ end }}
initContainerStatuses:
{{ range .spec.initContainers }}
- name: {{ .name | Quote }}
  image: {{ .image | Quote }}
  restartCount: 0
  ready: true
{{ if eq .restartPolicy "Always" }}
  started: true
  state:
    running:
      startedAt: {{ $now | Quote }}
{{ else }}
  state:
    terminated:
      exitCode: 0
      reason: Completed
      startedAt: {{ $now | Quote }}
      finishedAt: {{ $now | Quote }}
{{ end }}
{{ end }}
containerStatuses:
{{ range .spec.containers }}
- name: {{ .name | Quote }}
  image: {{ .image | Quote }}
  restartCount: 0
  ready: true
  started: true
  state:
    running:
      startedAt: {{ $now | Quote }}
{{ end }}
{{ with NodeIPWith .spec.nodeName }}
hostIP: {{ . | Quote }}
hostIPs:
- ip: {{ . | Quote }}
{{ end }}
{{ with PodIPsWith .spec.nodeName ( or .spec.hostNetwork false ) ( or .metadata.uid "" ) ( or .metadata.name "" ) ( or .metadata.namespace "" ) }}
podIP: {{ index . 0 | Quote }}
podIPs:
{{ range . }}
- ip: {{ . | Quote }}
{{ end }}
{{ end }}
phase: Running
startTime: {{ $now | Quote }}
`;

const jobPodDoneTemplate = `{{ $now := Now }}
conditions:
- type: Ready
  status: "False"
  reason: PodCompleted
  lastTransitionTime: {{ $now | Quote }}
- type: ContainersReady
  status: "False"
  reason: PodCompleted
  lastTransitionTime: {{ $now | Quote }}
containerStatuses:
{{ range .spec.containers }}
- name: {{ .name | Quote }}
  image: {{ .image | Quote }}
  restartCount: 0
  ready: false
  started: false
  state:
    terminated:
      exitCode: 0
      reason: Completed
      startedAt: {{ $now | Quote }}
      finishedAt: {{ $now | Quote }}
{{ end }}
phase: Succeeded
`;

export function kwokStages(): Record<string, unknown>[] {
  return [
    stage('node-ready', 'Node', [{ key: readyStatus, operator: 'NotIn', values: ['True'] }], {
      statusTemplate: nodeReadyTemplate,
    }),
    stage(
      'node-heartbeat',
      'Node',
      [
        { key: '.status.phase', operator: 'In', values: ['Running'] },
        { key: readyStatus, operator: 'In', values: ['True'] },
      ],
      { statusTemplate: nodeHeartbeatTemplate },
      { durationMilliseconds: 240_000, jitterDurationMilliseconds: 300_000 },
    ),
    stage(
      'pod-running',
      'Pod',
      [
        { key: '.metadata.deletionTimestamp', operator: 'DoesNotExist' },
        { key: '.status.phase', operator: 'In', values: ['Pending'] },
        { key: readyStatus, operator: 'NotIn', values: ['True'] },
      ],
      { statusTemplate: podRunningTemplate },
    ),
    stage(
      'job-pod-done',
      'Pod',
      [
        { key: '.metadata.deletionTimestamp', operator: 'DoesNotExist' },
        { key: '.status.phase', operator: 'In', values: ['Running'] },
        { key: '.metadata.ownerReferences.[].kind', operator: 'In', values: ['Job'] },
      ],
      { statusTemplate: jobPodDoneTemplate },
    ),
    stage('pod-gone', 'Pod', [{ key: '.metadata.deletionTimestamp', operator: 'Exists' }], { delete: true }),
  ];
}

/**
 * KWOK plays pod stages 4 at a time by default: one fake kubelet process standing in for 200 nodes
 * with 4 workers, each waiting for its status PATCH. Measured on the scale rig (bench, issue 15): in
 * a 1,100-pod burst pods were bound 0.3–1 s after creation and then waited 5–7 s (p50) for KWOK to
 * mark them Running, longer the faster they arrived — a bottleneck 200 real kubelets do not have.
 * 32 workers let the API server, not the simulated kubelet, set the pace.
 */
export const KWOK_POD_PLAY_PARALLELISM = 32;

export function kwokConfiguration(): Record<string, unknown> {
  return {
    apiVersion: 'config.kwok.x-k8s.io/v1alpha1',
    kind: 'KwokConfiguration',
    // kwok v0.8 applies its defaults only when no KwokConfiguration is given, so a given one
    // spells out every default it relies on (zz_generated.defaults.go); the flags still override.
    options: {
      podPlayStageParallelism: KWOK_POD_PLAY_PARALLELISM,
      nodePlayStageParallelism: 4,
      nodeLeaseParallelism: 4,
      podsOnNodeSyncParallelism: 1,
      enablePodsOnNodeSyncListPager: true,
      enablePodsOnNodeSyncStreamWatch: false,
      enableDebuggingHandlers: true,
      enableContentionProfiling: false,
      enableProfilingHandler: true,
    },
  };
}

export function kwokConfigYaml(): string {
  return toYamlStream([kwokConfiguration(), ...kwokStages()]);
}
