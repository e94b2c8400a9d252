import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  rayCluster,
  withAuthOptions,
  withHeadEnv,
  withHeadServiceType,
  withRayVersion,
} from '../../testing/builders.ts';
import { set } from './fixtures.ts';
import { validate, validateAll } from './index.ts';

const cve = /CVE-2023-48022/;
const password = {
  name: 'RAY_DASHBOARD_PASSWORD',
  valueFrom: { secretKeyRef: { name: 'ray-dashboard-secret', key: 'password' } },
};

test('a LoadBalancer/NodePort head or an Ingress without auth warns with the CVE; with auth it does not', () => {
  for (const t of ['LoadBalancer', 'NodePort']) {
    const r = validate(rayCluster('c', withHeadServiceType(t)));
    const w = r.warnings.find((x) => cve.test(x.message));
    assert.ok(w, `${t}: ${JSON.stringify(r.warnings)}`);
    assert.equal(w.path, 'spec.headGroupSpec.serviceType');
    assert.match(w.message, /runs code on it/);
    assert.match(w.hint, /authOptions/);
  }
  const viaTemplate = set(rayCluster('c'), 'spec.headGroupSpec.headService', { spec: { type: 'NodePort' } });
  assert.ok(
    validate(viaTemplate).warnings.some((x) => x.path === 'spec.headGroupSpec.headService.spec.type'),
  );
  const ingress = set(rayCluster('c'), 'spec.headGroupSpec.enableIngress', true);
  assert.ok(
    validate(ingress).warnings.some(
      (x) => x.path === 'spec.headGroupSpec.enableIngress' && cve.test(x.message),
    ),
  );

  for (const safe of [
    rayCluster('c', withHeadServiceType('LoadBalancer'), withAuthOptions({ mode: 'token' })),
    rayCluster('c', withHeadServiceType('LoadBalancer'), withHeadEnv(password)),
    rayCluster('c', withHeadServiceType('ClusterIP')),
  ]) {
    assert.deepEqual(
      validate(safe).warnings.filter((x) => cve.test(x.message)),
      [],
    );
  }
});

test('Services and Ingresses in front of a Ray head without auth warn, unless the file has the authed cluster', () => {
  const svc = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'dash' },
    spec: { type: 'LoadBalancer', selector: { app: 'ray-head' }, ports: [{ port: 80, targetPort: 8265 }] },
  };
  const ing = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'dash' },
    spec: {
      rules: [
        {
          http: {
            paths: [
              {
                path: '/',
                pathType: 'Prefix',
                backend: { service: { name: 'c-head-svc', port: { number: 8265 } } },
              },
            ],
          },
        },
      ],
    },
  };
  assert.ok(validate(svc).warnings.some((w) => w.path === 'spec.ports[0].targetPort' && cve.test(w.message)));
  assert.ok(
    validate(ing).warnings.some(
      (w) => w.path === 'spec.rules[0].http.paths[0].backend.service' && cve.test(w.message),
    ),
  );
  const authed = rayCluster('c', withAuthOptions({ mode: 'token' }));
  for (const r of validateAll([svc, ing, authed]))
    assert.deepEqual(
      r.warnings.filter((w) => cve.test(w.message)),
      [],
    );
  const internal = set(svc, 'spec.type', 'ClusterIP');
  assert.deepEqual(
    validate(internal).warnings.filter((w) => cve.test(w.message)),
    [],
  );
});

test('RAY_DASHBOARD_PASSWORD pitfalls: old Ray, authOptions beside it, a literal value, on a worker', () => {
  const old = validate(rayCluster('c', withRayVersion('2.9.0'), withHeadEnv(password)));
  assert.ok(old.warnings.some((w) => /needs Ray 2\.52 or later; Ray 2\.9\.0 ignores it/.test(w.message)));
  const disabled = validate(rayCluster('c', withHeadEnv(password), withAuthOptions({ mode: 'disabled' })));
  assert.ok(disabled.warnings.some((w) => /is ignored: authOptions\.mode is "disabled"/.test(w.message)));
  const both = validate(rayCluster('c', withHeadEnv(password), withAuthOptions({ mode: 'token' })));
  assert.ok(both.warnings.some((w) => /not the cluster's token/.test(w.message)));
  const literal = validate(rayCluster('c', withHeadEnv({ name: 'RAY_DASHBOARD_PASSWORD', value: 'x' })));
  assert.ok(literal.warnings.some((w) => /written in the manifest/.test(w.message)));
  const ok = validate(rayCluster('c', withHeadEnv(password)));
  assert.deepEqual(ok.warnings, []);
});
