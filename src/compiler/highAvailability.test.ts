import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  rayCluster,
  withAnnotations,
  withWorkerGroup,
  withWorkers,
  workerGroup,
  workerPodSpec,
} from '../testing/builders.ts';
import { validate } from '../api/validation/index.ts';
import { compileCluster, renderCluster } from './index.ts';
import type { PodDisruptionBudget } from './k8sTypes.ts';

const ZONE = 'topology.kubernetes.io/zone';

test('kuray.io/spread-workers-across spreads every worker group on that label; a group that spreads keeps its own', () => {
  const rc = rayCluster(
    'c',
    withAnnotations({ 'kuray.io/spread-workers-across': ZONE }),
    withWorkers(2),
    withWorkerGroup(
      workerGroup(
        'own',
        workerPodSpec({
          topologySpreadConstraints: [{ maxSkew: 2, topologyKey: ZONE, whenUnsatisfiable: 'DoNotSchedule' }],
        }),
      ),
    ),
  );
  const c = compileCluster(rc);
  assert.deepEqual(c.workerPod('workers', 'w').spec?.topologySpreadConstraints, [
    {
      maxSkew: 1,
      topologyKey: ZONE,
      whenUnsatisfiable: 'ScheduleAnyway',
      labelSelector: { matchLabels: { 'ray.io/cluster': 'c', 'ray.io/group': 'workers' } },
    },
  ]);
  assert.deepEqual(
    c.workerPod('own', 'w').spec?.topologySpreadConstraints?.map((x) => x.maxSkew),
    [2],
  );
  assert.equal(c.headPod('h').spec?.topologySpreadConstraints, undefined, 'one head: nothing to spread');
  const strict = rayCluster(
    'c',
    withAnnotations({
      'kuray.io/spread-workers-across': ZONE,
      'kuray.io/spread-workers-when-unsatisfiable': 'DoNotSchedule',
    }),
    withWorkers(1),
  );
  assert.equal(
    compileCluster(strict).workerPod('workers', 'w').spec?.topologySpreadConstraints?.[0]?.whenUnsatisfiable,
    'DoNotSchedule',
  );
  assert.equal(
    compileCluster(rayCluster('c', withWorkers(1))).workerPod('workers', 'w').spec?.topologySpreadConstraints,
    undefined,
  );
});

test('kuray.io/pod-disruption-budget: the head cannot be evicted, each group loses at most n at a time', () => {
  const rc = rayCluster(
    'c',
    withAnnotations({
      'kuray.io/pod-disruption-budget': 'true',
      'kuray.io/pod-disruption-budget-max-unavailable': '2',
    }),
    withWorkers(3),
  );
  const pdbs = renderCluster(rc).filter((o): o is PodDisruptionBudget => o.kind === 'PodDisruptionBudget');
  assert.deepEqual(
    pdbs.map((p) => [p.metadata?.name, p.spec]),
    [
      [
        'c-headgroup-pdb',
        {
          minAvailable: 1,
          selector: { matchLabels: { 'ray.io/cluster': 'c', 'ray.io/group': 'headgroup' } },
        },
      ],
      [
        'c-workers-pdb',
        {
          maxUnavailable: 2,
          selector: { matchLabels: { 'ray.io/cluster': 'c', 'ray.io/group': 'workers' } },
        },
      ],
    ],
  );
  assert.equal(pdbs[0]!.metadata?.ownerReferences?.[0]?.kind, 'RayCluster');
  assert.equal(
    renderCluster(rayCluster('c', withWorkers(1))).filter((o) => o.kind === 'PodDisruptionBudget').length,
    0,
  );
});

test("the annotations are validated; the guide's single-zone pinning is a warning", () => {
  const bad = validate(
    rayCluster(
      'c',
      withAnnotations({
        'kuray.io/spread-workers-across': 'not a key',
        'kuray.io/spread-workers-when-unsatisfiable': 'Sometimes',
        'kuray.io/pod-disruption-budget': 'yes please',
        'kuray.io/pod-disruption-budget-max-unavailable': '0',
      }),
    ),
  );
  assert.deepEqual(bad.errors.map((e) => e.path).sort(), [
    'metadata.annotations["kuray.io/pod-disruption-budget"]',
    'metadata.annotations["kuray.io/pod-disruption-budget-max-unavailable"]',
    'metadata.annotations["kuray.io/spread-workers-across"]',
    'metadata.annotations["kuray.io/spread-workers-when-unsatisfiable"]',
  ]);
  const pinned = rayCluster('c', withWorkers(3, workerPodSpec({ nodeSelector: { [ZONE]: 'us-west-1a' } })));
  pinned.spec.headGroupSpec.template.spec!.nodeSelector = { [ZONE]: 'us-west-1a' };
  const w = validate(pinned).warnings.find((x) => /pinned to zone us-west-1a/.test(x.message));
  assert.ok(w, 'warned');
  assert.match(w.hint, /kuray\.io\/spread-workers-across: topology\.kubernetes\.io\/zone/);
});
