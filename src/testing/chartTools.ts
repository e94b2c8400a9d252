// The operator installed as a user installs it, for e2e tests on the `real` rig: the repo's dist/
// built (the kuray-operator image runs it, rig/node/images.ts), then `helm install kuberay-operator
// charts/kuray-operator -n ray-system`, with kubectl and helm run as commands against the rig.
import assert from 'node:assert/strict';
import { delimiter, dirname, join } from 'node:path';
import { ensureBinaries } from '../../rig/build.ts';
import type { Rig } from '../../rig/testing.ts';
import { runTool, type ToolResult } from '../install/exec.ts';
import { chartDir, repoRoot } from '../install/manifests.ts';

/** Where the guide installs the operator, and the label its pods carry. */
export const RELEASE_NS = 'ray-system';
export const OPERATOR_LABEL = 'app.kubernetes.io/name=kuberay-operator';

export interface ToolOptions {
  input?: string;
  extraEnv?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

export interface ChartTools {
  /** The rig's environment, Node 24 and the repo's bin/ first on PATH, a private helm home. */
  env(): NodeJS.ProcessEnv;
  kubectl(args: readonly string[], opts?: ToolOptions): Promise<ToolResult>;
  helm(args: readonly string[]): Promise<ToolResult>;
  /** `install kuberay-operator` from the repo's chart into RELEASE_NS (created first). */
  installOperator(extraArgs?: readonly string[]): Promise<void>;
}

/** Exit 0 or a failure that shows what the command printed; resolves to its stdout. */
export async function ok(r: Promise<ToolResult>, what: string): Promise<string> {
  const res = await r;
  assert.equal(res.code, 0, `${what} failed (exit ${res.code}):\n${res.stdout}\n${res.stderr}`);
  return res.stdout;
}

/** Compiles this checkout to dist/, which the kuray-operator image on the local node runs. */
export async function buildDist(): Promise<void> {
  const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  await ok(runTool(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: repoRoot }), 'npm run build');
}

/** kubectl and helm against `rig`; helm's config, cache and data live under `work`. */
export async function chartTools(rig: Rig, work: string): Promise<ChartTools> {
  const helmBin = (await ensureBinaries(['helm'])).helm;
  const env = (): NodeJS.ProcessEnv => ({
    ...process.env,
    ...rig.env,
    // Node 24 for bin/kubectl-ray's #!/usr/bin/env node; the repo's bin/ so kubectl finds the plugin.
    PATH: [dirname(process.execPath), join(repoRoot, 'bin'), rig.env.PATH].join(delimiter),
    HELM_CONFIG_HOME: join(work, 'helm-config'),
    HELM_CACHE_HOME: join(work, 'helm-cache'),
    HELM_DATA_HOME: join(work, 'helm-data'),
  });
  const kubectl = (args: readonly string[], opts: ToolOptions = {}) =>
    runTool('kubectl', args, {
      env: { ...env(), ...opts.extraEnv },
      ...(opts.input !== undefined ? { input: opts.input } : {}),
      ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
    });
  const helm = (args: readonly string[]) => runTool(helmBin, args, { env: env(), timeoutMs: 300_000 });
  const installOperator = async (extraArgs: readonly string[] = []) => {
    await ok(kubectl(['create', 'namespace', RELEASE_NS]), `kubectl create namespace ${RELEASE_NS}`);
    // The chart's webhook stays off: the API server cannot reach a Service here (no kube-proxy, and
    // pod addresses are loopback, which EndpointSlices refuse); src/webhook/webhook.int.test.ts covers it.
    await ok(
      helm([
        'install',
        'kuberay-operator',
        chartDir,
        '--namespace',
        RELEASE_NS,
        '--set',
        'webhook.enabled=false',
        ...extraArgs,
      ]),
      'helm install',
    );
  };
  return { env, kubectl, helm, installOperator };
}
