// The `ray start` command line and the container command that runs it, as KubeRay v1.7.0 writes them
// (generateRayStartCommand, convertParamMap, BuildPod): users grep and diff these. One difference:
// every flag and value is a single shell word (./shell.ts), so no spec can run a command.
import type { NodeType } from './constants.ts';
import type { Params } from './rayStartParams.ts';
import { argWord, valueWord } from '../util/shell.ts';

// `ray start` flags that take an explicit boolean; every other "true"/"false" is an on/off switch.
const EXPLICIT_BOOLEAN_FLAGS = new Set(['log-color', 'include-dashboard', 'include-log-monitor']);

/**
 * Sorted flags; "true" → `--k`, "false" → dropped (except explicit-boolean flags), else `--k=v`,
 * each flag and value quoted for the shell when it is not plain (`--resources='{"TPU":4}'`).
 */
export function convertParamMap(params: Readonly<Params>): string {
  let out = '';
  for (const key of Object.keys(params).sort()) {
    const value = params[key]!;
    const lower = value.toLowerCase();
    if ((lower === 'true' || lower === 'false') && !EXPLICIT_BOOLEAN_FLAGS.has(key)) {
      if (lower === 'true') out += ` ${argWord(`--${key}`)} `;
    } else {
      out += ` ${argWord(`--${key}`)}=${valueWord(value)} `;
    }
  }
  return out;
}

export function rayStartCommand(nodeType: NodeType, params: Readonly<Params>): string {
  return nodeType === 'head'
    ? `ray start --head ${convertParamMap(params)}`
    : `ray start ${convertParamMap(params)}`;
}

/** `/bin/bash -c --` (or `-cl --` with ENABLE_LOGIN_SHELL), as utils.GetContainerCommand. */
export function containerShell(loginShell: boolean): string[] {
  return ['/bin/bash', loginShell ? '-cl' : '-c', '--'];
}

export const ULIMIT_COMMAND = 'ulimit -n ${RAY_START_ULIMIT_OPEN_FILES:-65536}';

function cmdToString(parts: readonly string[]): string {
  return parts.map((p) => ` ${p} `).join('');
}

/** The user's command+args as KubeRay flattens them, to run before `ray start`. Empty if none. */
export function userCommandString(
  command: readonly string[] | undefined,
  args: readonly string[] | undefined,
): string {
  return cmdToString(command ?? []) + cmdToString(args ?? []);
}

/** The single bash argument: `<user cmd> && ulimit …; ray start …`, or without the user part. */
export function containerArgs(userCmd: string, rayStart: string): string {
  const generated = `${ULIMIT_COMMAND}; ${rayStart}`;
  return userCmd !== '' ? `${userCmd} && ${generated}` : generated;
}
