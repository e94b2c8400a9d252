// tlsOptions.enabled → KubeRay v1.7's pod wiring and cert-manager PKI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileCluster, renderCluster } from './index.ts';
import {
  rayCluster,
  withAutoscaling,
  withUID,
  withWorkerGroup,
  workerGroup,
  type ClusterMod,
} from '../testing/builders.ts';
import type { Container } from './k8sTypes.ts';

const withTLS: ClusterMod = (rc) => ({ ...rc, spec: { ...rc.spec, tlsOptions: { enabled: true } } });
const cluster = (...mods: ClusterMod[]) =>
  compileCluster(rayCluster('c', withUID('0123456789ab'), withWorkerGroup(workerGroup('cpu')), ...mods));
const env = (c: Container | undefined) => Object.fromEntries((c?.env ?? []).map((e) => [e.name, e.value]));
const TLS_ENV = {
  RAY_USE_TLS: '1',
  RAY_TLS_SERVER_CERT: '/etc/ray/tls/tls.crt',
  RAY_TLS_SERVER_KEY: '/etc/ray/tls/tls.key',
  RAY_TLS_CA_CERT: '/etc/ray/tls/ca.crt',
};

test('disabled or absent: pods untouched, no PKI', () => {
  const c = cluster((rc) => ({ ...rc, spec: { ...rc.spec, tlsOptions: { enabled: false } } }));
  assert.equal(
    c.headPod('h').spec?.volumes?.some((v) => v.name === 'ray-tls'),
    false,
  );
  assert.deepEqual(c.tlsObjects({ head: [], worker: [] }), []);
});

test("head: its certificate's Secret at /etc/ray/tls, TLS env on Ray and the autoscaler, the IP-SAN wait first", () => {
  const pod = cluster(withTLS, withAutoscaling()).headPod('h');
  assert.deepEqual(
    pod.spec?.volumes?.find((v) => v.name === 'ray-tls'),
    { name: 'ray-tls', secret: { secretName: 'ray-head-secret-c' } },
  );
  const [ray, autoscaler] = [
    pod.spec.containers[0],
    pod.spec.containers.find((c) => c.name === 'autoscaler'),
  ];
  for (const c of [ray, autoscaler]) {
    assert.deepEqual({ ...env(c), ...TLS_ENV }, env(c), `${c?.name}: TLS env`);
    assert.ok(
      c?.volumeMounts?.some((m) => m.name === 'ray-tls' && m.mountPath === '/etc/ray/tls' && m.readOnly),
    );
  }
  const wait = pod.spec?.initContainers?.[0];
  assert.equal(wait?.name, 'wait-for-tls-ip-san');
  assert.equal(wait?.image, ray?.image);
  assert.deepEqual(wait?.command, ['sh', '-c']);
  assert.match(wait.args![0]!, /openssl x509 -in "\$\{CERT\}"/);
  assert.deepEqual(wait?.env?.[0], {
    name: 'POD_IP',
    valueFrom: { fieldRef: { fieldPath: 'status.podIP' } },
  });
  assert.equal(wait?.resources?.limits?.memory, '64Mi');
  // Restricted by default like every container the operator adds.
  assert.equal(wait?.securityContext?.allowPrivilegeEscalation, false);
});

test('worker: the worker Secret; wait-for-tls-ip-san before wait-gcs-ready, which gets the TLS env', () => {
  const pod = cluster(withTLS).workerPod('cpu', 'w');
  assert.equal(
    pod.spec?.volumes?.find((v) => v.name === 'ray-tls')?.secret?.secretName,
    'ray-worker-secret-c',
  );
  assert.deepEqual(
    pod.spec?.initContainers?.map((c) => c.name),
    ['wait-for-tls-ip-san', 'wait-gcs-ready'],
  );
  const gcsWait = pod.spec.initContainers[1];
  assert.deepEqual({ ...env(gcsWait), ...TLS_ENV }, env(gcsWait));
});

test("PKI: KubeRay's five objects, names, chain and lifetimes; leaf SANs from the pods' IPs", () => {
  const objs = cluster(withTLS).tlsObjects({
    head: ['10.0.0.5'],
    worker: ['10.0.0.7', '10.0.0.6', '10.0.0.7'],
  });
  assert.deepEqual(
    objs.map((o) => `${o.kind}/${o.metadata.name}`),
    [
      'Issuer/ray-selfsigned-issuer-c',
      'Certificate/ray-ca-certificate-c',
      'Issuer/ray-ca-issuer-c',
      'Certificate/ray-head-cert-c',
      'Certificate/ray-worker-cert-c',
    ],
  );
  const [selfSigned, ca, caIssuer, head, worker] = objs;
  assert.deepEqual(selfSigned?.spec, { selfSigned: {} });
  assert.equal(ca?.spec.secretName, 'c-ca-secret-01234567');
  assert.equal(ca?.spec.isCA, true);
  assert.deepEqual(caIssuer?.spec, { ca: { secretName: 'c-ca-secret-01234567' } });
  assert.deepEqual(head?.spec.dnsNames, ['c-head-svc.default.svc.cluster.local', 'localhost']);
  assert.deepEqual(head?.spec.ipAddresses, ['10.0.0.5', '127.0.0.1']);
  assert.deepEqual(worker?.spec.ipAddresses, ['10.0.0.6', '10.0.0.7', '127.0.0.1']);
  assert.equal(worker?.spec.secretName, 'ray-worker-secret-c');
  assert.deepEqual(worker?.spec.issuerRef, {
    name: 'ray-ca-issuer-c',
    kind: 'Issuer',
    group: 'cert-manager.io',
  });
  for (const o of objs) {
    assert.equal(o.metadata.labels['ray.io/cluster'], 'c');
    assert.equal(o.metadata.ownerReferences[0]?.uid, '0123456789ab');
  }
});

test('kuray render prints the PKI with no pod IPs yet', () => {
  const objs = renderCluster(rayCluster('c', withUID('u-123456789'), withTLS)).filter(
    (o) => o.apiVersion === 'cert-manager.io/v1',
  );
  assert.equal(objs.length, 5);
});
