// MTLSReconciler's own bookkeeping at unit speed (the PKI on a real API server with cert-manager's
// objects is mtls.int.test.ts): a recording client that answers every cert-manager object as issued.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RayCluster } from '../../api/v1/index.ts';
import { compileCluster } from '../../compiler/index.ts';
import { ApiError } from '../../runtime/errors.ts';
import type { KubeObject } from '../../runtime/resources.ts';
import { inNamespace, rayCluster, withUID, withWorkers } from '../../testing/builders.ts';
import { MTLSReconciler, type MTLSDeps } from './mtls.ts';

const withTLS = (rc: RayCluster): RayCluster => ({
  ...rc,
  spec: { ...rc.spec, tlsOptions: { enabled: true } },
});

/** Every Issuer/Certificate the cluster wants, as cert-manager would show it once issued. */
function issued(rc: RayCluster): Map<string, KubeObject> {
  const out = new Map<string, KubeObject>();
  for (const o of compileCluster(rc).tlsObjects({ head: [], worker: [] })) {
    out.set(o.metadata.name, {
      ...(o as unknown as KubeObject),
      metadata: { ...o.metadata, uid: `uid-${o.metadata.name}`, generation: 1 },
      status: {
        conditions: [{ type: 'Ready', status: 'True', observedGeneration: 1 }],
        notAfter: '2099-01-01T00:00:00Z',
      },
    });
  }
  return out;
}

function harness(rc: RayCluster) {
  const h = { cluster: rc as RayCluster | undefined, events: [] as string[], secretGets: 0 };
  const objects = issued(rc);
  const deps: MTLSDeps = {
    client: {
      get: <T extends KubeObject>(r: { resource: string }, _ns: string | undefined, name: string) => {
        if (r.resource === 'secrets') {
          h.secretGets++;
          // Already owned by every Certificate: nothing to patch.
          const refs = [...objects.values()].map((o) => ({ uid: o.metadata.uid! }));
          return Promise.resolve({ metadata: { name, ownerReferences: refs } } as unknown as T);
        }
        const o = objects.get(name);
        return o ? Promise.resolve(o as T) : Promise.reject(new ApiError(404, {}, 'GET', name));
      },
      create: () => Promise.reject(new Error('nothing to create: all issued')),
      patch: () => Promise.reject(new Error('nothing to patch')),
    },
    clusters: { get: () => h.cluster as KubeObject | undefined, byIndex: () => [] },
    pods: { get: () => undefined, byIndex: () => [] },
    events: { normal: (_o, reason) => h.events.push(reason), warning: (_o, reason) => h.events.push(reason) },
    certManager: { available: () => Promise.resolve(true), recheckMs: 1000 },
  };
  return { h, reconciler: new MTLSReconciler(deps) };
}

test('the state kept per cluster goes with the cluster; a new cluster under the same name starts afresh', async () => {
  const rc = withTLS(rayCluster('c', inNamespace('ns'), withUID('u1'), withWorkers(1)));
  const { h, reconciler } = harness(rc);
  const req = { namespace: 'ns', name: 'c' };
  await reconciler.reconcile(req);
  await reconciler.reconcile(req);
  assert.deepEqual(h.events, ['MTLSPKIReady'], 'announced once per readiness');
  const gets = h.secretGets;
  assert.ok(gets > 0);
  await reconciler.reconcile(req);
  assert.equal(h.secretGets, gets, 'each Secret is checked once, then remembered');
  assert.equal(reconciler.trackedClusters, 1);

  h.cluster = undefined; // deleted
  await reconciler.reconcile(req);
  assert.equal(reconciler.trackedClusters, 0, 'nothing kept for a cluster that is gone');

  h.cluster = withTLS(rayCluster('c', inNamespace('ns'), withUID('u2'), withWorkers(1)));
  await reconciler.reconcile(req);
  assert.deepEqual(h.events, ['MTLSPKIReady', 'MTLSPKIReady'], 'the new cluster gets its own Event');
  assert.ok(h.secretGets > gets, 'and its Secrets are checked again');

  h.cluster = rayCluster('c', inNamespace('ns'), withUID('u2'), withWorkers(1)); // mTLS switched off
  await reconciler.reconcile(req);
  assert.equal(reconciler.trackedClusters, 0);
});
