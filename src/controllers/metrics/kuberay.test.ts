import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import type { RayCluster, RayCronJob, RayJob, RayService } from '../../api/v1/index.ts';
import { rayCluster } from '../../testing/builders.ts';
import { rayJob } from '../../testing/rayjobs.ts';
import { rayService } from '../../testing/rayservice.ts';
import {
  observeJobTransition,
  registerClusterMetrics,
  registerCronJobMetrics,
  registerJobMetrics,
  registerServiceMetrics,
} from './kuberay.ts';

/** The exposition lines of one metric family, without HELP/TYPE, sorted. */
async function lines(reg: Registry, name: string): Promise<string[]> {
  const text = await reg.metrics();
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .sort();
}

function withMeta<T extends { metadata?: object }>(o: T, uid: string, extra: object = {}): T {
  return { ...o, metadata: { ...o.metadata, uid, ...extra } };
}

describe('KubeRay operator metrics, computed from the cache at scrape time', () => {
  it('kuberay_cluster_*: info with owner_kind, the Provisioned condition, provisioning time', async () => {
    const reg = new Registry();
    const provisioned: RayCluster = {
      ...withMeta(rayCluster('a'), 'u-a', {
        creationTimestamp: '2026-01-01T00:00:00Z',
        labels: { 'ray.io/originated-from-crd': 'RayJob' },
      }),
      status: {
        desiredWorkerReplicas: 3,
        readyWorkerReplicas: 2,
        conditions: [
          {
            type: 'RayClusterProvisioned',
            status: 'True',
            reason: 'AllPodRunningAndReadyFirstTime',
            message: '',
            lastTransitionTime: '2026-01-01T00:01:30Z',
          },
        ],
      },
    };
    let clusters: RayCluster[] = [provisioned, withMeta(rayCluster('b'), 'u-b')];
    registerClusterMetrics(reg, () => clusters);
    assert.deepEqual(await lines(reg, 'kuberay_cluster_info'), [
      'kuberay_cluster_info{name="a",namespace="default",uid="u-a",owner_kind="RayJob"} 1',
      'kuberay_cluster_info{name="b",namespace="default",uid="u-b",owner_kind="None"} 1',
    ]);
    assert.deepEqual(await lines(reg, 'kuberay_cluster_condition_provisioned'), [
      'kuberay_cluster_condition_provisioned{name="a",namespace="default",uid="u-a",condition="true"} 1',
      'kuberay_cluster_condition_provisioned{name="b",namespace="default",uid="u-b",condition="false"} 1',
    ]);
    assert.deepEqual(await lines(reg, 'kuberay_cluster_provisioned_duration_seconds'), [
      'kuberay_cluster_provisioned_duration_seconds{name="a",namespace="default",uid="u-a"} 90',
    ]);
    assert.deepEqual(await lines(reg, 'kuray_cluster_worker_replicas'), [
      'kuray_cluster_worker_replicas{name="a",namespace="default",uid="u-a",state="available"} 0',
      'kuray_cluster_worker_replicas{name="a",namespace="default",uid="u-a",state="desired"} 3',
      'kuray_cluster_worker_replicas{name="a",namespace="default",uid="u-a",state="ready"} 2',
      'kuray_cluster_worker_replicas{name="b",namespace="default",uid="u-b",state="available"} 0',
      'kuray_cluster_worker_replicas{name="b",namespace="default",uid="u-b",state="desired"} 0',
      'kuray_cluster_worker_replicas{name="b",namespace="default",uid="u-b",state="ready"} 0',
    ]);
    // A deleted cluster leaves the next scrape.
    clusters = [clusters[1]!];
    assert.equal((await lines(reg, 'kuberay_cluster_info')).length, 1);
    assert.deepEqual(await lines(reg, 'kuberay_cluster_provisioned_duration_seconds'), []);
  });

  it('kuberay_job_*: info, deployment status; execution duration on Complete/Failed/Retrying, gone with the job', async () => {
    const reg = new Registry();
    const job = (status: NonNullable<RayJob['status']>['jobDeploymentStatus']): RayJob => ({
      ...withMeta(rayJob('j'), 'u-j'),
      status: { jobDeploymentStatus: status, startTime: '2026-01-01T00:00:00Z', failed: 1 },
    });
    let jobs: RayJob[] = [job('Running')];
    registerJobMetrics(reg, () => jobs);
    assert.deepEqual(await lines(reg, 'kuberay_job_info'), [
      'kuberay_job_info{name="j",namespace="default",uid="u-j"} 1',
    ]);
    assert.deepEqual(await lines(reg, 'kuberay_job_deployment_status'), [
      'kuberay_job_deployment_status{name="j",namespace="default",uid="u-j",deployment_status="Running"} 1',
    ]);
    const at = new Date('2026-01-01T00:02:00Z');
    // Running → Running and Running → Suspending record nothing; Running → Failed does.
    observeJobTransition(reg, jobs[0]!, jobs[0]!.status!, job('Running').status!, at);
    observeJobTransition(reg, jobs[0]!, jobs[0]!.status!, job('Suspending').status!, at);
    assert.deepEqual(await lines(reg, 'kuberay_job_execution_duration_seconds'), []);
    observeJobTransition(reg, jobs[0]!, jobs[0]!.status!, job('Failed').status!, at);
    jobs = [job('Failed')];
    assert.deepEqual(await lines(reg, 'kuberay_job_execution_duration_seconds'), [
      'kuberay_job_execution_duration_seconds{name="j",namespace="default",uid="u-j",job_deployment_status="Failed",retry_count="1"} 120',
    ]);
    jobs = [];
    await reg.metrics(); // the scrape that no longer sees the RayJob drops its duration
    assert.deepEqual(await lines(reg, 'kuberay_job_execution_duration_seconds'), []);
  });

  it('kuberay_service_*: info, Ready and UpgradeInProgress as condition="true|false"', async () => {
    const reg = new Registry();
    const ready: RayService = {
      ...withMeta(rayService('s'), 'u-s'),
      status: {
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'x',
            message: '',
            lastTransitionTime: '2026-01-01T00:00:00Z',
          },
        ],
      },
    };
    registerServiceMetrics(reg, () => [ready]);
    assert.deepEqual(await lines(reg, 'kuberay_service_info'), [
      'kuberay_service_info{name="s",namespace="default",uid="u-s"} 1',
    ]);
    assert.deepEqual(await lines(reg, 'kuberay_service_condition_ready'), [
      'kuberay_service_condition_ready{name="s",namespace="default",uid="u-s",condition="true"} 1',
    ]);
    assert.deepEqual(await lines(reg, 'kuberay_service_condition_upgrade_in_progress'), [
      'kuberay_service_condition_upgrade_in_progress{name="s",namespace="default",uid="u-s",condition="false"} 1',
    ]);
  });

  it('kuberay_cronjob_*: info with schedule/policy/suspend, active jobs, last schedule/success times', async () => {
    const reg = new Registry();
    const cron = {
      apiVersion: 'ray.io/v1',
      kind: 'RayCronJob',
      metadata: { name: 'c', namespace: 'default', uid: 'u-c' },
      spec: { schedule: '*/5 * * * *', concurrencyPolicy: 'Forbid', jobTemplate: { entrypoint: 'x' } },
      status: { active: [{ name: 'c-1' }], lastScheduleTime: '2026-01-01T00:00:00Z' },
    } as unknown as RayCronJob;
    registerCronJobMetrics(reg, () => [cron]);
    assert.deepEqual(await lines(reg, 'kuberay_cronjob_info'), [
      'kuberay_cronjob_info{name="c",namespace="default",uid="u-c",schedule="*/5 * * * *",concurrency_policy="Forbid",suspend="false"} 1',
    ]);
    assert.deepEqual(await lines(reg, 'kuberay_cronjob_active_jobs'), [
      'kuberay_cronjob_active_jobs{name="c",namespace="default",uid="u-c"} 1',
    ]);
    assert.deepEqual(await lines(reg, 'kuberay_cronjob_last_schedule_time_seconds'), [
      'kuberay_cronjob_last_schedule_time_seconds{name="c",namespace="default",uid="u-c"} 1767225600',
    ]);
    assert.deepEqual(await lines(reg, 'kuberay_cronjob_last_successful_time_seconds'), []);
  });
});
