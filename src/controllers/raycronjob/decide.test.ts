import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RayCronJob, RayCronJobSpec, RayJob } from '../../api/v1/index.ts';
import { rayJob } from '../../testing/rayjobs.ts';
import { ANNOTATION_SCHEDULED, decide, rayJobNameFor } from './decide.ts';
import { parseSchedule } from './schedule.ts';

const T = (s: string) => Date.parse(`2026-12-05T${s}Z`);
const everyMinute = parseSchedule('* * * * *');

function cron(over: Partial<RayCronJobSpec> = {}, status: RayCronJob['status'] = {}): RayCronJob {
  return {
    apiVersion: 'ray.io/v1',
    kind: 'RayCronJob',
    metadata: { name: 'nightly', namespace: 'ns', uid: 'u1', creationTimestamp: '2026-12-05T10:00:10Z' },
    spec: { schedule: '* * * * *', jobTemplate: rayJob('t').spec, ...over },
    status,
  };
}
function child(at: string, deployment: string, jobStatus = ''): RayJob {
  const tick = T(at);
  const j = rayJob(rayJobNameFor(cron(), tick));
  j.metadata!.annotations = { [ANNOTATION_SCHEDULED]: new Date(tick).toISOString() };
  j.status = { jobDeploymentStatus: deployment as never, jobStatus: jobStatus as never };
  return j;
}

describe('RayCronJob decisions', () => {
  it('the first tick after creation creates <cron>-<unix minutes> from the template, owned and labelled', () => {
    const early = decide(cron(), [], everyMinute, T('10:00:40'));
    assert.equal(early.create, undefined);
    assert.equal(early.requeueAfterMs, 20_000);
    const d = decide(cron(), [], everyMinute, T('10:01:02'));
    assert.equal(d.create?.metadata?.name, `nightly-${T('10:01:00') / 60_000}`);
    assert.equal(d.create?.metadata?.labels?.['ray.io/cronjob-name'], 'nightly');
    assert.equal(d.create?.metadata?.annotations?.[ANNOTATION_SCHEDULED], '2026-12-05T10:01:00Z');
    assert.equal(d.create?.metadata?.ownerReferences?.[0]?.kind, 'RayCronJob');
    assert.equal(d.status.lastScheduleTime, '2026-12-05T10:01:00Z');
    assert.equal(d.requeueAfterMs, 58_000);
  });

  it('after an outage only the most recent missed tick runs; past startingDeadlineSeconds it is skipped', () => {
    const c = cron({}, { lastScheduleTime: '2026-12-05T10:01:00Z' });
    const d = decide(c, [], everyMinute, T('10:30:05'));
    assert.equal(d.create?.metadata?.annotations?.[ANNOTATION_SCHEDULED], '2026-12-05T10:30:00Z');
    const late = decide(cron({ startingDeadlineSeconds: 3 }, c.status), [], everyMinute, T('10:30:05'));
    assert.equal(late.create, undefined);
    assert.equal(late.events[0]?.reason, 'MissSchedule');
  });

  it('concurrencyPolicy: Allow runs side by side, Forbid skips while one runs, Replace deletes it', () => {
    const running = child('10:01:00', 'Running');
    const s = { lastScheduleTime: '2026-12-05T10:01:00Z' };
    const allow = decide(cron({}, s), [running], everyMinute, T('10:02:01'));
    assert.ok(allow.create);
    assert.deepEqual(
      allow.status.active?.map((a) => a.name),
      [running.metadata!.name],
    );
    const forbid = decide(cron({ concurrencyPolicy: 'Forbid' }, s), [running], everyMinute, T('10:02:01'));
    assert.equal(forbid.create, undefined);
    assert.equal(forbid.events[0]?.reason, 'JobAlreadyActive');
    assert.equal(forbid.status.lastScheduleTime, '2026-12-05T10:01:00Z', 'the tick stays pending');
    const replace = decide(cron({ concurrencyPolicy: 'Replace' }, s), [running], everyMinute, T('10:02:01'));
    assert.ok(replace.create);
    assert.deepEqual(replace.delete, [running.metadata!.name]);
  });

  it('history limits keep the newest finished RayJobs of each kind; unset keeps all; lastSuccessfulTime', () => {
    const jobs = [
      child('10:01:00', 'Complete', 'SUCCEEDED'),
      child('10:02:00', 'Complete', 'SUCCEEDED'),
      child('10:03:00', 'Failed', 'FAILED'),
      child('10:04:00', 'Complete', 'SUCCEEDED'),
      child('10:05:00', 'Failed', 'FAILED'),
      child('10:06:00', 'Running'),
    ];
    const s = { lastScheduleTime: '2026-12-05T10:06:00Z' };
    const d = decide(
      cron({ successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 1 }, s),
      jobs,
      everyMinute,
      T('10:06:30'),
    );
    assert.deepEqual(d.delete.sort(), [jobs[0]!, jobs[1]!, jobs[2]!].map((j) => j.metadata!.name).sort());
    assert.equal(d.status.lastSuccessfulTime, '2026-12-05T10:04:00Z');
    assert.deepEqual(decide(cron({}, s), jobs, everyMinute, T('10:06:30')).delete, []);
  });

  it('suspend: nothing is scheduled, history is still pruned', () => {
    const d = decide(
      cron({ suspend: true, failedJobsHistoryLimit: 0 }),
      [child('10:01:00', 'Failed')],
      everyMinute,
      T('11:00:00'),
    );
    assert.equal(d.create, undefined);
    assert.equal(d.requeueAfterMs, undefined);
    assert.equal(d.delete.length, 1);
  });
});
