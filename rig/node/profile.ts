// The rig profile `real`: the control plane, the scheduler and one local node that runs pods as
// real processes (rig/node), Ray images from the project venv. No KWOK nodes.
import { join } from 'node:path';
import type { Profile } from '../profile.ts';

export const localNodeName = 'kuray-local';

/** 16 CPU / 48Gi by default (the seed's basic cluster requests 4 CPU / 8Gi); no GPUs. */
export function realProfile(capacity: { cpu?: string; memory?: string } = {}): Profile {
  return {
    name: 'real',
    nodeGroups: [],
    metricsServer: true,
    extraProcesses: [
      {
        name: 'local-node',
        command: process.execPath,
        args: [
          join(import.meta.dirname, 'main.ts'),
          `--name=${localNodeName}`,
          `--cpu=${capacity.cpu ?? process.env.KURAY_NODE_CPU ?? '16'}`,
          `--memory=${capacity.memory ?? process.env.KURAY_NODE_MEMORY ?? '48Gi'}`,
          '--label=kuray.io/rig-node-group=local',
        ],
      },
    ],
  };
}
