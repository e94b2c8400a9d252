import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderCluster } from './index.ts';
import type { Ingress } from './k8sTypes.ts';
import { rayCluster, withAnnotations, withHead, withHeadPorts } from '../testing/builders.ts';

const ingressOf = (rc: ReturnType<typeof rayCluster>) =>
  renderCluster(rc).find((o) => o.kind === 'Ingress') as Ingress | undefined;

test('no Ingress unless enableIngress; without ingressOptions KubeRay’s /<cluster>/(.*) Exact path', () => {
  assert.equal(ingressOf(rayCluster('c')), undefined);
  const ing = ingressOf(
    rayCluster(
      'c',
      withAnnotations({ 'nginx.ingress.kubernetes.io/rewrite-target': '/$1' }),
      withHead((h) => ({ ...h, enableIngress: true })),
      withHeadPorts({ name: 'dashboard', containerPort: 9000 }),
    ),
  );
  assert.ok(ing);
  assert.equal(ing.metadata?.name, 'c-head-ingress');
  assert.equal(ing.metadata?.ownerReferences?.[0]?.kind, 'RayCluster');
  assert.equal(ing.spec?.ingressClassName, undefined);
  assert.deepEqual(ing.metadata?.annotations, { 'nginx.ingress.kubernetes.io/rewrite-target': '/$1' });
  assert.deepEqual(ing.spec?.rules?.[0]?.http?.paths, [
    {
      path: '/c/(.*)',
      pathType: 'Exact',
      backend: { service: { name: 'c-head-svc', port: { number: 9000 } } },
    },
  ]);
});

test('ingressOptions: path and pathType as given, TLS kept, the host rule; the class annotation becomes ingressClassName', () => {
  const ing = ingressOf(
    rayCluster(
      'c',
      withAnnotations({ 'kubernetes.io/ingress.class': 'nginx' }),
      withHead((h) => ({
        ...h,
        enableIngress: true,
        ingressOptions: {
          host: 'ray.example.com',
          path: '/ray',
          pathType: 'ImplementationSpecific',
          tls: [{ hosts: ['ray.example.com'], secretName: 'tls' }],
        },
      })),
    ),
  );
  assert.ok(ing);
  assert.equal(ing.spec?.ingressClassName, 'nginx');
  assert.equal(ing.metadata?.annotations, undefined);
  assert.equal(ing.spec?.rules?.[0]?.host, 'ray.example.com');
  assert.deepEqual(ing.spec?.rules?.[0]?.http?.paths[0]?.path, '/ray');
  assert.deepEqual(ing.spec?.rules?.[0]?.http?.paths[0]?.pathType, 'ImplementationSpecific');
  assert.deepEqual(ing.spec?.tls, [{ hosts: ['ray.example.com'], secretName: 'tls' }]);
});
