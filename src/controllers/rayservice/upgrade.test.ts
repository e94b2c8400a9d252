// The pure "which clusters" decisions: spec hash (what does and does not need a new cluster), in-place
// updates, the strategies, and dangling-cluster clean-up with its delay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RayCluster, RayService } from '../../api/v1/index.ts';
import { withHeadEnv, withWorkerGroup, workerGroup } from '../../testing/builders.ts';
import {
  rayService,
  withClusterConfig,
  withDeletionDelay,
  withUpgradeStrategy,
} from '../../testing/rayservice.ts';
import { ANNOTATION_HASH, ANNOTATION_KUBERAY_VERSION, ANNOTATION_NUM_WORKER_GROUPS } from './constants.ts';
import { clusterSpecHash } from './hash.ts';
import { desiredCluster, type RS } from './objects.ts';
import {
  onlyGroupsAppended,
  planCleanup,
  shouldPrepareNewCluster,
  shouldUpdateCluster,
  specMatches,
  upgradeType,
} from './upgrade.ts';

const svc = (...mods: Parameters<typeof rayService>[1][]) =>
  ({ ...rayService('svc', ...mods), metadata: { name: 'svc', namespace: 'ns', uid: 'u1' } }) as RS;
const clusterOf = (rs: RS, name = 'svc-abcde'): RayCluster => desiredCluster(rs, name);
const withConditions = (rs: RS, conditions: { type: string; status: 'True' | 'False' }[]): RS => ({
  ...rs,
  status: { conditions: conditions.map((c) => ({ ...c, reason: 'r', message: '', lastTransitionTime: '' })) },
});

test('the hash ignores what changes under a running cluster (replicas, min/max, workersToDelete, tolerations, suspend)', () => {
  const base = svc(withClusterConfig(withWorkerGroup(workerGroup('w'))));
  const h = clusterSpecHash(base.spec.rayClusterConfig);
  const moved = structuredClone(base.spec.rayClusterConfig);
  const g = moved.workerGroupSpecs![0]!;
  g.replicas = 7;
  g.minReplicas = 3;
  g.maxReplicas = 9;
  g.scaleStrategy = { workersToDelete: ['p1'] };
  g.template.spec!.tolerations = [{ key: 'kueue', operator: 'Exists' }];
  moved.suspend = true;
  assert.equal(clusterSpecHash(moved), h);
  const changed = svc(
    withClusterConfig(withWorkerGroup(workerGroup('w')), withHeadEnv({ name: 'A', value: '1' })),
  );
  assert.notEqual(clusterSpecHash(changed.spec.rayClusterConfig), h);
  // Key order never matters (the API server and YAML files order keys as they like).
  const reverse = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(reverse)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v)
              .reverse()
              .map(([k, x]) => [k, reverse(x)]),
          )
        : v;
  assert.equal(clusterSpecHash(reverse(base.spec.rayClusterConfig) as typeof moved), h);
});

test('spec changes: same → nothing; appended worker group → in place; anything else → a new cluster unless None', () => {
  const rs = svc();
  const rc = clusterOf(rs);
  assert.equal(specMatches(rs, rc), true);
  assert.equal(shouldPrepareNewCluster(rs, rc, undefined, false), false);

  const appended = svc(withClusterConfig(withWorkerGroup(workerGroup('extra'))));
  assert.equal(specMatches(appended, rc), false);
  assert.equal(onlyGroupsAppended(appended, rc), true, 'a head-only cluster gets its first group in place');
  assert.equal(shouldUpdateCluster(appended, rc, true), true);
  assert.equal(shouldPrepareNewCluster(appended, rc, undefined, false), false);

  const edited = svc(withClusterConfig(withHeadEnv({ name: 'APP_COLOR', value: 'green' })));
  assert.equal(onlyGroupsAppended(edited, rc), false);
  assert.equal(shouldUpdateCluster(edited, rc, true), false);
  assert.equal(shouldPrepareNewCluster(edited, rc, undefined, false), true);
  // A pending cluster is compared instead of the active one.
  const pending = clusterOf(edited, 'svc-fghij');
  assert.equal(shouldPrepareNewCluster(edited, rc, pending, false), false);
  assert.equal(
    shouldPrepareNewCluster(edited, rc, undefined, true),
    false,
    'not while the pending cluster serves',
  );

  const none = { ...edited, spec: { ...edited.spec, upgradeStrategy: { type: 'None' as const } } };
  assert.equal(shouldPrepareNewCluster(none, rc, undefined, false), false);
  assert.equal(upgradeType(svc(), false), 'None', 'ENABLE_ZERO_DOWNTIME=false without a strategy');
  assert.equal(upgradeType(svc(withUpgradeStrategy({ type: 'NewCluster' })), false), 'NewCluster');
  assert.equal(shouldPrepareNewCluster(svc(), undefined, undefined, false), true, 'a new RayService');
});

test('the active cluster is left alone during an upgrade; a KubeRay-made cluster is adopted in place', () => {
  const rs = svc(withClusterConfig(withWorkerGroup(workerGroup('extra'))));
  const rc = clusterOf(svc());
  assert.equal(
    shouldUpdateCluster(withConditions(rs, [{ type: 'UpgradeInProgress', status: 'True' }]), rc, true),
    false,
  );
  assert.equal(shouldUpdateCluster(rs, rc, false), true, 'the pending cluster is updated in place too');

  const kuberay: RayCluster = {
    ...rc,
    metadata: {
      ...rc.metadata,
      annotations: {
        [ANNOTATION_HASH]: 'GOHASHBASE32',
        [ANNOTATION_NUM_WORKER_GROUPS]: '0',
        [ANNOTATION_KUBERAY_VERSION]: 'v1.7.0',
      },
    },
  };
  const edited = svc(withClusterConfig(withHeadEnv({ name: 'A', value: '1' })));
  assert.equal(specMatches(edited, kuberay), true, 'taken as current: switching operators starts no upgrade');
  assert.equal(shouldPrepareNewCluster(edited, kuberay, undefined, false), false);
  assert.equal(shouldUpdateCluster(svc(), kuberay, true), true, 'adopted: re-stamped with our hash');
  const old: RayCluster = {
    ...rc,
    metadata: {
      ...rc.metadata,
      annotations: { ...rc.metadata!.annotations, [ANNOTATION_KUBERAY_VERSION]: 'v1.6.2' },
    },
  };
  assert.equal(shouldUpdateCluster(svc(), old, true), true, 'another operator version: updated in place');
});

test('dangling clusters go after rayClusterDeletionDelaySeconds; all at once when the RayService is deleted', () => {
  const rs: RS = {
    ...svc(withDeletionDelay(10)),
    status: { activeServiceStatus: { rayClusterName: 'svc-new' }, pendingServiceStatus: {} },
  };
  const rc = (name: string, deleting = false): RayCluster => ({
    ...clusterOf(rs, name),
    metadata: { ...clusterOf(rs, name).metadata, ...(deleting ? { deletionTimestamp: 'x' } : {}) },
  });
  const clusters = [rc('svc-new'), rc('svc-old'), rc('svc-going', true)];
  const first = planCleanup(rs, clusters, new Map(), 1_000);
  assert.deepEqual(first.schedule, [{ name: 'svc-old', at: 11_000 }]);
  assert.deepEqual(first.delete, []);
  assert.equal(first.remaining, true);
  assert.deepEqual(planCleanup(rs, clusters, new Map([['svc-old', 11_000]]), 10_999).delete, []);
  assert.deepEqual(planCleanup(rs, clusters, new Map([['svc-old', 11_000]]), 11_000).delete, ['svc-old']);
  assert.equal(planCleanup(rs, [rc('svc-new')], new Map(), 0).remaining, false);

  const deleted: RS = { ...rs, metadata: { ...rs.metadata, deletionTimestamp: 'now' } };
  assert.deepEqual(planCleanup(deleted, clusters, new Map(), 1_000).delete, ['svc-new', 'svc-old']);
  const timedOut: RayService = {
    ...rs,
    status: {
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'InitializingTimeout',
          message: '',
          lastTransitionTime: '',
        },
      ],
    },
  };
  assert.deepEqual(
    planCleanup(timedOut, [rc('svc-new')], new Map(), 5).delete,
    ['svc-new'],
    'nothing to drain',
  );
});
