// The plugin's streaming work (exec, logs, port-forward) goes through `kubectl` itself, as KubeRay's
// `session` does: a kubectl plugin always has kubectl beside it, and kubectl speaks every transport
// (WebSocket, SPDY) and credential plugin the user's kubeconfig may need. $KUBECTL names another binary.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Kube } from './kube.ts';

export function kubectlBinary(): string {
  return process.env.KUBECTL ?? 'kubectl';
}

/** Starts kubectl with the plugin's connection flags and namespace. */
export function startKubectl(kube: Kube, args: readonly string[]): ChildProcess {
  const c = spawn(kubectlBinary(), [...kube.kubectlArgs(), '--namespace', kube.namespace, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  c.on('error', () => undefined); // reported by run(): ENOENT when kubectl is not installed
  return c;
}

export interface KubectlRun {
  code: number;
  stderr: string;
}

/** Runs kubectl to the end; its stdout goes to `out`. */
export function runKubectl(
  kube: Kube,
  args: readonly string[],
  out: NodeJS.WritableStream,
): Promise<KubectlRun> {
  return new Promise((resolve, reject) => {
    const c = startKubectl(kube, args);
    let stderr = '';
    c.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    c.stdout!.pipe(out, { end: false });
    c.once('error', (e: NodeJS.ErrnoException) => {
      reject(
        e.code === 'ENOENT'
          ? new Error(
              `${kubectlBinary()} not found on PATH: install kubectl (or set $KUBECTL) to use this command`,
            )
          : e,
      );
    });
    c.once('close', (code) => {
      resolve({ code: code ?? 1, stderr });
    });
  });
}
