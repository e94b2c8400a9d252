// Runs a command-line tool (helm, kubectl) to completion and collects its output. Never throws on a
// non-zero exit: install tests assert on failures (a rejected value, a forbidden request) as much as
// on successes, with the tool's own message.
import { spawn } from 'node:child_process';

export interface ToolResult {
  stdout: string;
  stderr: string;
  /** Exit code; 1 when killed by a signal (the signal is noted in stderr). */
  code: number;
}

export interface ToolOptions {
  input?: string;
  /** The complete environment of the child (not merged with process.env: callers decide credentials). */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
}

export function runTool(bin: string, args: readonly string[], opts: ToolOptions = {}): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, {
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: opts.timeoutMs ?? 120_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      resolve({ stdout, stderr: stderr + (signal ? `\n(killed by ${signal})` : ''), code: code ?? 1 });
    });
    child.stdin.on('error', () => {}); // EPIPE when the tool exits before reading stdin: its exit code says why
    child.stdin.end(opts.input ?? '');
  });
}

/** stdout of a run that must succeed; otherwise an error with the command line and its stderr. */
export async function runToolOk(
  bin: string,
  args: readonly string[],
  opts: ToolOptions = {},
): Promise<string> {
  const r = await runTool(bin, args, opts);
  if (r.code !== 0) throw new Error(`${bin} ${args.join(' ')} failed (exit ${r.code}):\n${r.stderr.trim()}`);
  return r.stdout;
}
