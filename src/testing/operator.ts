// Runs the real operator for integration tests, either in this process (fast, inspectable) or as a
// child process (`kuray operator`) that a test can SIGKILL.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import {
  setupAutoscalerController,
  type AutoscalerControllerOptions,
} from '../controllers/autoscaler/setup.ts';
import {
  setupRayClusterController,
  type RayClusterControllerOptions,
} from '../controllers/raycluster/setup.ts';
import { setupRayJobController, type RayJobControllerOptions } from '../controllers/rayjob/setup.ts';
import { setupRayCronJobController } from '../controllers/raycronjob/setup.ts';
import {
  setupRayServiceController,
  type RayServiceControllerOptions,
} from '../controllers/rayservice/setup.ts';
import { createLogger } from '../runtime/log.ts';
import { Manager } from '../runtime/manager.ts';
import { Registry } from 'prom-client';
import type { Rig } from '../../rig/testing.ts';
import { OPERATOR_NODE_FLAGS } from '../operator/nodeFlags.ts';
import { trimCachedPod } from '../controllers/shared/cachedPod.ts';
import { Pods } from '../runtime/resources.ts';

const repo = join(import.meta.dirname, '..', '..');

export interface InProcessOperator {
  mgr: Manager;
  stop(): Promise<void>;
}

/** An operator watching `namespaces`, in this process, with its own metrics registry. */
export async function startOperator(
  rig: Rig,
  namespaces: string[],
  opts: {
    leaderElection?: boolean;
    identity?: string;
    logLevel?: 'debug' | 'info' | 'warn' | 'error';
    /** The native autoscaler controller's options (it runs as in `kuray operator`). */
    autoscaler?: Omit<AutoscalerControllerOptions, 'watchNamespaces'>;
    /** More RayCluster controller options (compile/validate options, --default-token-auth). */
    raycluster?: Omit<RayClusterControllerOptions, 'watchNamespaces'>;
    /** RayJob controller options (e.g. a dashboard factory pointing at a local Ray head). */
    rayjob?: Omit<RayJobControllerOptions, 'watchNamespaces'>;
    /** Runs the RayCronJob controller too (the operator does with --feature-gates=RayCronJob=true). */
    raycronjob?: boolean;
    /** The RayService controller's options (test seams for Ray, dashboard timing). */
    rayService?: Omit<RayServiceControllerOptions, 'watchNamespaces'>;
  } = {},
): Promise<InProcessOperator> {
  const mgr = new Manager({
    kubeconfig: rig.kubeconfigPath,
    qps: 200,
    burst: 400,
    metricsAddress: '127.0.0.1:0',
    handleSignals: false,
    registry: new Registry(),
    logger: createLogger({ level: opts.logLevel ?? (process.env.KURAY_TEST_LOG ? 'debug' : 'error') }),
    leaderElection: {
      enabled: opts.leaderElection ?? false,
      namespace: namespaces[0] ?? 'default',
      ...(opts.identity ? { identity: opts.identity } : {}),
      leaseDurationMs: 4000,
      renewDeadlineMs: 3000,
      retryPeriodMs: 500,
    },
  });
  // As runOperator (src/operator/run.ts): the controllers see the pod cache the operator keeps.
  mgr.informers.setTransform(Pods, trimCachedPod);
  setupRayClusterController(mgr, { watchNamespaces: namespaces, concurrency: 4, ...opts.raycluster });
  setupAutoscalerController(mgr, { watchNamespaces: namespaces, ...opts.autoscaler });
  setupRayJobController(mgr, { watchNamespaces: namespaces, concurrency: 4, ...opts.rayjob });
  if (opts.raycronjob)
    setupRayCronJobController(mgr, {
      watchNamespaces: namespaces,
      validateOptions: { featureGates: { RayCronJob: true } },
    });
  setupRayServiceController(mgr, { watchNamespaces: namespaces, ...opts.rayService });
  await mgr.start();
  return { mgr, stop: () => mgr.stop() };
}

export interface OperatorProcess {
  child: ChildProcess;
  /** Collected stderr (JSON log lines). */
  logs: string[];
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** `kuray operator` as a child process (its own process group so a kill takes everything). */
export function spawnOperator(rig: Rig, args: string[]): OperatorProcess {
  const child = spawn(
    process.execPath,
    [
      ...OPERATOR_NODE_FLAGS,
      join(repo, 'src/cli/main.ts'),
      'operator',
      '--kubeconfig',
      rig.kubeconfigPath,
      ...args,
    ],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...rig.env },
      detached: true,
    },
  );
  const logs: string[] = [];
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    logs.push(...d.split('\n').filter(Boolean));
  });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
  const kill = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid!, signal);
    } catch {
      /* already gone */
    }
    await exited;
  };
  process.once('exit', () => {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  });
  return { child, logs, kill };
}
