// The shipped alert rules (config/monitoring/prometheus/kuray-rules.yaml) under `promtool test rules` with
// made-up series: each alert fires in its case, after its `for:`, with the labels its runbook uses,
// and stays quiet when all is well. (The e2e shows the same rules against real Ray; this covers the
// cases a healthy test cluster does not produce: OOM kills, a failed RayJob, pending workers, …)
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../install/manifests.ts';
import { toYaml } from '../util/yaml.ts';
import { alertRules } from './rules.ts';

const ns = 'team-a';
const head = (v: string) => ({
  series: `up{namespace="${ns}", ray_io_cluster="c1", ray_io_node_type="head", endpoint="metrics", pod="c1-head-x"}`,
  values: v,
});
const provisioned = {
  series: `kuberay_cluster_condition_provisioned{namespace="${ns}", name="c1", uid="u1", condition="true"}`,
  values: '1x40',
};

/** The alert's expected labels and annotations, its templates filled in as Prometheus does. */
function fired(alert: string, labels: Record<string, string>, value?: number): Record<string, unknown> {
  const r = alertRules.find((x) => x.alert === alert)!;
  const fill = (t: string) =>
    t
      .replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, k: string) => labels[k] ?? '')
      .replace(/\{\{ \$value \}\}/g, String(value));
  return {
    exp_labels: { severity: r.severity, ...labels },
    exp_annotations: { summary: fill(r.summary), description: fill(r.description), runbook: fill(r.runbook) },
  };
}

const cases = [
  {
    name: 'head down for 1m fires RayHeadDown; a head that is up does not',
    interval: '15s',
    input_series: [provisioned, head('1 1 1 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0')],
    alert_rule_test: [
      { eval_time: '45s', alertname: 'RayHeadDown', exp_alerts: [] },
      { eval_time: '90s', alertname: 'RayHeadDown', exp_alerts: [] }, // down 30 s: still pending
      {
        eval_time: '2m30s',
        alertname: 'RayHeadDown',
        exp_alerts: [fired('RayHeadDown', { namespace: ns, ray_io_cluster: 'c1' })],
      },
    ],
  },
  {
    name: 'a head pod gone altogether (no up series) also fires RayHeadDown',
    interval: '15s',
    input_series: [provisioned, head('1 1 stale')],
    alert_rule_test: [
      {
        eval_time: '2m',
        alertname: 'RayHeadDown',
        exp_alerts: [fired('RayHeadDown', { namespace: ns, ray_io_cluster: 'c1' })],
      },
    ],
  },
  {
    name: 'GCS silent while the head answers fires RayGcsUnreachable',
    interval: '15s',
    input_series: [
      head('1x20'),
      {
        series: `ray_gcs_actors_count{namespace="${ns}", ray_io_cluster="c1", ray_io_node_type="head", State="Alive"}`,
        values: '1 1 stale',
      },
    ],
    alert_rule_test: [
      { eval_time: '15s', alertname: 'RayGcsUnreachable', exp_alerts: [] },
      {
        eval_time: '2m',
        alertname: 'RayGcsUnreachable',
        exp_alerts: [], // silent 1m45s: within last_over_time's 2m
      },
      {
        eval_time: '4m',
        alertname: 'RayGcsUnreachable',
        exp_alerts: [fired('RayGcsUnreachable', { namespace: ns, ray_io_cluster: 'c1' })],
      },
    ],
  },
  {
    name: 'workers not ready for 10m fire RayWorkersStuckPending with the count',
    interval: '1m',
    input_series: [
      {
        series: `kuray_cluster_worker_replicas{namespace="${ns}", name="c1", uid="u1", state="desired"}`,
        values: '3x15',
      },
      {
        series: `kuray_cluster_worker_replicas{namespace="${ns}", name="c1", uid="u1", state="ready"}`,
        values: '1x15',
      },
    ],
    alert_rule_test: [
      { eval_time: '5m', alertname: 'RayWorkersStuckPending', exp_alerts: [] },
      {
        eval_time: '12m',
        alertname: 'RayWorkersStuckPending',
        exp_alerts: [fired('RayWorkersStuckPending', { namespace: ns, name: 'c1' }, 2)],
      },
    ],
  },
  {
    name: 'an OOM kill fires RayOOMKills at once',
    interval: '1m',
    input_series: [
      head('1x10'),
      {
        series: `ray_memory_manager_worker_eviction_total{namespace="${ns}", ray_io_cluster="c1", Name="f", Type="MEMORY_MANAGER"}`,
        values: '0 0 0 2 2 2',
      },
    ],
    alert_rule_test: [
      { eval_time: '2m', alertname: 'RayOOMKills', exp_alerts: [] },
      {
        eval_time: '4m',
        alertname: 'RayOOMKills',
        exp_alerts: [fired('RayOOMKills', { namespace: ns, ray_io_cluster: 'c1' }, 2)],
      },
    ],
  },
  {
    name: 'the native autoscaler capped by maxReplicas for 15m fires RayAutoscalerCannotScale',
    interval: '1m',
    input_series: [
      {
        series: `kuray_autoscaler_decisions_total{namespace="${ns}", cluster="c1", group="g", rule="max-replicas", action="none"}`,
        values: '0+1x40',
      },
    ],
    alert_rule_test: [
      {
        eval_time: '35m',
        alertname: 'RayAutoscalerCannotScale',
        exp_alerts: [fired('RayAutoscalerCannotScale', { namespace: ns, cluster: 'c1' })],
      },
    ],
  },
  {
    name: 'a Failed RayJob fires RayJobFailed; a Complete one does not',
    interval: '1m',
    input_series: [
      { series: `kuberay_job_info{namespace="${ns}", name="ok", uid="u2"}`, values: '1x5' },
      { series: `kuberay_job_info{namespace="${ns}", name="bad", uid="u3"}`, values: '1x5' },
      {
        series: `kuberay_job_deployment_status{namespace="${ns}", name="ok", uid="u2", deployment_status="Complete"}`,
        values: '1x5',
      },
      {
        series: `kuberay_job_deployment_status{namespace="${ns}", name="bad", uid="u3", deployment_status="Failed"}`,
        values: '1x5',
      },
    ],
    alert_rule_test: [
      {
        eval_time: '2m',
        alertname: 'RayJobFailed',
        exp_alerts: [fired('RayJobFailed', { namespace: ns, name: 'bad' })],
      },
    ],
  },
  {
    name: 'a RayService not Ready for 5m fires RayServiceNotReady',
    interval: '1m',
    input_series: [
      { series: `kuberay_service_info{namespace="${ns}", name="s", uid="u4"}`, values: '1x10' },
      {
        series: `kuberay_service_condition_ready{namespace="${ns}", name="s", uid="u4", condition="false"}`,
        values: '1x10',
      },
    ],
    alert_rule_test: [
      { eval_time: '3m', alertname: 'RayServiceNotReady', exp_alerts: [] },
      {
        eval_time: '7m',
        alertname: 'RayServiceNotReady',
        exp_alerts: [fired('RayServiceNotReady', { namespace: ns, name: 's' })],
      },
    ],
  },
];

test('promtool test rules: each shipped alert fires in its case, after its for:, and not otherwise', () => {
  // Debian's prometheus package (installed by .ci/run, as for the monitoring e2e) ships promtool.
  const promtool = 'promtool';
  const dir = mkdtempSync(join(tmpdir(), 'kuray-rules-'));
  try {
    const file = join(dir, 'tests.yaml');
    writeFileSync(
      file,
      toYaml({
        rule_files: [join(repoRoot, 'config/monitoring/prometheus/kuray-rules.yaml')],
        evaluation_interval: '15s',
        tests: cases.map(({ name: _name, ...c }) => c),
      }),
    );
    let out = '';
    try {
      out = execFileSync(promtool, ['test', 'rules', file], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string };
      assert.fail(`promtool test rules failed:\n${err.stdout ?? ''}${err.stderr ?? ''}`);
    }
    assert.match(out, /SUCCESS/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
