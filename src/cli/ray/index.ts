// The kubectl plugin (`kubectl ray …`, `kubectl kuray …`, or `kuray …`): KubeRay plugin v1.7's
// commands with its flags and output, plus `status` and shell completion. Connection flags are
// kubectl's and global, so `kubectl ray -n ns get cluster` and `… get cluster -n ns` both work.
import type { Command } from 'commander';
import { registerCompletion } from './completion.ts';
import { registerCreate } from './create.ts';
import { registerDelete } from './delete.ts';
import { registerGet } from './get.ts';
import { registerJob } from './job.ts';
import { addGlobalFlags } from './kube.ts';
import { registerLog } from './log.ts';
import { registerScale } from './scale.ts';
import { registerSession } from './session.ts';
import { registerStatus } from './status.ts';
import { registerVersion } from './version.ts';

export { complete } from './completion.ts';

export function registerRay(program: Command): void {
  addGlobalFlags(program);
  registerGet(program);
  registerSession(program);
  registerLog(program);
  registerJob(program);
  registerVersion(program);
  registerCreate(program);
  registerDelete(program);
  registerScale(program);
  registerStatus(program);
  registerCompletion(program);
}

/** The name kubectl shows: `kubectl ray` for kubectl-ray, `kubectl kuray` for kubectl-kuray. */
export function programName(argv1: string | undefined): string {
  const base =
    (argv1 ?? '')
      .split('/')
      .at(-1)
      ?.replace(/\.(js|ts)$/, '') ?? '';
  const m = /^kubectl-(ray|kuray)$/.exec(base);
  return m ? `kubectl ${m[1]}` : 'kuray';
}
