// Declarative node profiles: which fake Nodes a rig has, and (for later profiles) which nodes are
// NOT faked by KWOK and which extra processes run beside the control plane.
//
// A profile is data; `profileNodes` turns it into Node objects (pure). KWOK only manages Nodes
// carrying the `kwok.x-k8s.io/node: fake` annotation, so a node group with `fake: false` is left to
// whatever real agent the profile starts (the local real-Ray node, later).
import { readFileSync } from 'node:fs';
import { parseYamlStream } from '../src/util/yaml.ts';
import { realProfile } from './node/profile.ts';

export const kwokManagedAnnotation = 'kwok.x-k8s.io/node';

export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

export interface NodeGroup {
  /** Node names are `<name>-<i>` (i from 0). */
  name: string;
  count: number;
  /** Instance type, written to node.kubernetes.io/instance-type and kubernetes.io/instance-type. */
  instanceType?: string;
  /** Zones assigned round-robin (topology.kubernetes.io/zone). */
  zones?: readonly string[];
  labels?: Readonly<Record<string, string>>;
  taints?: readonly Taint[];
  /** Capacity (= allocatable): cpu, memory, pods, nvidia.com/gpu … as quantity strings. */
  capacity: Readonly<Record<string, string>>;
  /** false: KWOK leaves these nodes alone (a real agent runs them). Default true. */
  fake?: boolean;
}

/** A process started after the control plane, e.g. a real node agent (future `real` profile). */
export interface ExtraProcess {
  name: string;
  command: string;
  args: readonly string[];
  env?: Readonly<Record<string, string>>;
}

export interface Profile {
  name: string;
  nodeGroups: readonly NodeGroup[];
  extraProcesses?: readonly ExtraProcess[];
  /** Run metrics-server (rig/metricsServer.ts) for `kubectl top`; needs nodes that serve /metrics/resource. */
  metricsServer?: boolean;
}

const zones = ['us-west-1a', 'us-west-1b', 'us-west-1c'] as const;
const gpuTaint: Taint = { key: 'nvidia.com/gpu', effect: 'NoSchedule' };

/**
 * Every seed example schedules here: g5.xlarge GPU nodes behind the nvidia.com/gpu taint (02, 04),
 * m5.large/xlarge/2xlarge (03, 13), all three us-west-1 zones (09), and untainted GPU nodes labelled
 * node-type=ai-head-node / ai-worker-node for the enterprise example (15: 1 + up to 20 pods of
 * 4 CPU / 8Gi / 1 GPU). Capacities follow the AWS instance types.
 */
export const defaultProfile: Profile = {
  name: 'default',
  nodeGroups: [
    {
      name: 'g5-xlarge',
      count: 24,
      instanceType: 'g5.xlarge',
      zones,
      taints: [gpuTaint],
      capacity: { cpu: '4', memory: '16Gi', 'nvidia.com/gpu': '1', pods: '110' },
    },
    {
      name: 'm5-large',
      count: 6,
      instanceType: 'm5.large',
      zones,
      capacity: { cpu: '2', memory: '8Gi', pods: '110' },
    },
    {
      name: 'm5-xlarge',
      count: 6,
      instanceType: 'm5.xlarge',
      zones,
      capacity: { cpu: '4', memory: '16Gi', pods: '110' },
    },
    {
      name: 'm5-2xlarge',
      count: 12,
      instanceType: 'm5.2xlarge',
      zones,
      capacity: { cpu: '8', memory: '32Gi', pods: '110' },
    },
    {
      name: 'ai-head',
      count: 2,
      instanceType: 'g5.12xlarge',
      zones,
      labels: { 'node-type': 'ai-head-node' },
      capacity: { cpu: '48', memory: '192Gi', 'nvidia.com/gpu': '4', pods: '110' },
    },
    {
      name: 'ai-worker',
      count: 6,
      instanceType: 'g5.12xlarge',
      zones,
      labels: { 'node-type': 'ai-worker-node' },
      capacity: { cpu: '48', memory: '192Gi', 'nvidia.com/gpu': '4', pods: '110' },
    },
  ],
};

/** Benchmarks: the default nodes plus 120 big CPU nodes and 24 big GPU nodes. */
export const scaleProfile: Profile = {
  name: 'scale',
  nodeGroups: [
    ...defaultProfile.nodeGroups,
    {
      name: 'm5-16xlarge',
      count: 120,
      instanceType: 'm5.16xlarge',
      zones,
      capacity: { cpu: '64', memory: '256Gi', pods: '250' },
    },
    {
      name: 'g5-48xlarge',
      count: 24,
      instanceType: 'g5.48xlarge',
      zones,
      taints: [gpuTaint],
      capacity: { cpu: '192', memory: '768Gi', 'nvidia.com/gpu': '8', pods: '250' },
    },
  ],
};

/** No nodes: a control plane for API-only tests. */
export const noneProfile: Profile = { name: 'none', nodeGroups: [] };

export const builtinProfiles: Readonly<Record<string, Profile>> = {
  default: defaultProfile,
  scale: scaleProfile,
  none: noneProfile,
  // The control plane plus the local node that runs pods as real processes (rig/node).
  real: realProfile(),
};

/** A built-in profile by name, or a JSON/YAML file holding a Profile. */
export function loadProfile(nameOrPath: string): Profile {
  const builtin = builtinProfiles[nameOrPath];
  if (builtin) return builtin;
  let text: string;
  try {
    text = readFileSync(nameOrPath, 'utf8');
  } catch {
    throw new Error(
      `rig: unknown profile ${JSON.stringify(nameOrPath)}: not one of ${Object.keys(builtinProfiles).join(', ')} ` +
        'and not a readable profile file',
    );
  }
  const doc = parseYamlStream(text, nameOrPath)[0]?.value;
  return validateProfile(doc, nameOrPath);
}

export function validateProfile(doc: unknown, source: string): Profile {
  const fail = (msg: string): never => {
    throw new Error(`rig: profile ${source}: ${msg}`);
  };
  if (typeof doc !== 'object' || doc === null) return fail('expected an object with name and nodeGroups');
  const p = doc as Partial<Profile>;
  if (typeof p.name !== 'string' || !/^[a-z0-9-]+$/.test(p.name))
    fail('name must be lowercase letters, digits, -');
  if (!Array.isArray(p.nodeGroups)) return fail('nodeGroups must be a list');
  const seen = new Set<string>();
  for (const [i, g] of (p.nodeGroups as Partial<NodeGroup>[]).entries()) {
    const at = `nodeGroups[${i}]`;
    if (typeof g.name !== 'string' || !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(g.name)) {
      return fail(`${at}.name must be a DNS label`);
    }
    if (seen.has(g.name)) fail(`${at}.name ${g.name} is used twice`);
    seen.add(g.name);
    if (typeof g.count !== 'number' || !Number.isInteger(g.count) || g.count < 0 || g.count > 5000)
      fail(`${at}.count must be an integer 0…5000`);
    if (typeof g.capacity !== 'object' || !('cpu' in g.capacity) || !('memory' in g.capacity)) {
      fail(`${at}.capacity needs at least cpu and memory`);
    }
  }
  return p as Profile;
}

export interface NodeObject {
  apiVersion: 'v1';
  kind: 'Node';
  metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: { taints?: Taint[] };
  status: {
    capacity: Record<string, string>;
    allocatable: Record<string, string>;
    phase: 'Running';
  };
}

/** The Node objects of a profile, in a stable order. KWOK fills conditions, addresses, leases. */
export function profileNodes(profile: Profile): NodeObject[] {
  const out: NodeObject[] = [];
  for (const g of profile.nodeGroups) {
    for (let i = 0; i < g.count; i++) {
      const name = `${g.name}-${i}`;
      const labels: Record<string, string> = {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'kuray.io/rig-node-group': g.name,
        type: g.fake === false ? 'real' : 'kwok',
      };
      if (g.instanceType) {
        // The well-known label is node.kubernetes.io/instance-type; the seed examples select on
        // kubernetes.io/instance-type, so both exist and either selector matches.
        labels['node.kubernetes.io/instance-type'] = g.instanceType;
        labels['kubernetes.io/instance-type'] = g.instanceType;
      }
      const zone = g.zones && g.zones.length > 0 ? g.zones[i % g.zones.length] : undefined;
      if (zone) {
        labels['topology.kubernetes.io/zone'] = zone;
        labels['topology.kubernetes.io/region'] = zone.replace(/[a-z]$/, '');
      }
      Object.assign(labels, g.labels);
      const capacity = { pods: '110', ...g.capacity };
      out.push({
        apiVersion: 'v1',
        kind: 'Node',
        metadata: {
          name,
          labels,
          annotations: g.fake === false ? {} : { [kwokManagedAnnotation]: 'fake' },
        },
        spec: g.taints && g.taints.length > 0 ? { taints: g.taints.map((t) => ({ ...t })) } : {},
        status: {
          capacity,
          allocatable: { ...capacity },
          phase: 'Running',
        },
      });
    }
  }
  return out;
}
