import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scrapeConfigs } from './scrape.ts';
import { podTargetGroups, viaHttpSd } from './podSd.ts';

test("podTargetGroups: Prometheus' pod role — a target per container port, a port-free one per container without", () => {
  const groups = podTargetGroups([
    {
      metadata: { name: 'h', namespace: 'n', labels: { 'ray.io/node-type': 'head' } },
      spec: {
        containers: [
          { name: 'ray-head', ports: [{ name: 'metrics', containerPort: 8080 }, { containerPort: 6379 }] },
          { name: 'autoscaler' },
        ],
      },
      status: { podIP: '127.0.10.2', phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
    },
    { metadata: { name: 'pending', namespace: 'n' }, spec: { containers: [{ name: 'c' }] }, status: {} },
  ]);
  assert.deepEqual(
    groups.map((g) => [
      g.targets[0],
      g.labels.__meta_kubernetes_pod_container_name,
      g.labels.__meta_kubernetes_pod_container_port_name,
    ]),
    [
      ['127.0.10.2:8080', 'ray-head', 'metrics'],
      ['127.0.10.2:6379', 'ray-head', ''],
      ['127.0.10.2', 'autoscaler', undefined],
    ],
  );
  assert.equal(groups[0]!.labels.__meta_kubernetes_pod_label_ray_io_node_type, 'head');
  assert.equal(groups[0]!.labels.__meta_kubernetes_pod_ready, 'true');
});

test('viaHttpSd keeps the relabel configs and carries namespaces and the label selector', () => {
  const job = scrapeConfigs({ namespaces: ['a', 'b'] }).find((j) => j.job_name === 'ray-workers')!;
  const h = viaHttpSd(job, 'http://127.0.0.1:1/');
  assert.deepEqual(h.relabel_configs, job.relabel_configs);
  assert.equal(h.kubernetes_sd_configs, undefined);
  assert.deepEqual(h.http_sd_configs, [
    {
      url: 'http://127.0.0.1:1/?namespace=a&namespace=b&labelSelector=ray.io%2Fnode-type%3Dworker',
      refresh_interval: '2s',
    },
  ]);
});
