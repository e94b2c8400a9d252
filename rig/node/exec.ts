// "kubectl exec" for pods on the local node: runs a command with the environment and working
// directory the node gave a container (written to <pod dir>/<container>/exec.json), so it sees the
// pod's loopback address, service names and Ray venv exactly as the container does.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecSpec } from './pod.ts';
import { localNodeName } from './profile.ts';

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The node's state directory inside a rig directory. */
export function nodeStateDir(rigDir: string, nodeName = localNodeName): string {
  return join(rigDir, `node-${nodeName}`);
}

export function execSpec(stateDir: string, namespace: string, pod: string, container: string): ExecSpec {
  const path = join(stateDir, 'pods', `${namespace}_${pod}`, container, 'exec.json');
  return JSON.parse(readFileSync(path, 'utf8')) as ExecSpec;
}

export function podExec(
  stateDir: string,
  namespace: string,
  pod: string,
  container: string,
  argv: readonly string[],
  opts: { timeoutMs?: number; input?: string } = {},
): Promise<ExecResult> {
  const spec = execSpec(stateDir, namespace, pod, container);
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      env: spec.env,
      cwd: spec.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, opts.timeoutMs ?? 120_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? 128, stdout, stderr: stderr + (signal ? `\n(killed by ${signal})` : '') });
    });
    child.stdin.on('error', () => {}); // EPIPE when the tool exits before reading stdin: its exit code says why
    child.stdin.end(opts.input ?? '');
  });
}
