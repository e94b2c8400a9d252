// tlsOptions (gate RayClusterMTLS on) on the real control plane (shared rig, one in-process operator,
// KWOK pods), with KubeRay's ray-cluster.mtls.yaml sample:
// - without cert-manager: nothing is created, the status says why (reason CertManagerNotInstalled)
//   with KubeRay's InvalidRayClusterSpec Event;
// - cert-manager's API installed afterwards (its CRDs; src/testing/certIssuer.ts issues as cert-manager
//   would, real X.509 from openssl): the cluster continues without an operator restart; KubeRay's five
//   PKI objects; no pod before the certificates are issued; the head and worker certificates' IP SANs
//   follow the pods' IPs and are reissued; the pods mount the Secrets with Ray's TLS env and the
//   IP-SAN wait; each Secret is owned by its Certificate; the cluster reaches ready.
import { kuberaySample } from '../../testing/kuberaySamples.ts';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import type { RayCluster } from '../../api/v1/index.ts';
import type { Pod } from '../../compiler/k8sTypes.ts';
import { newNamespace, useRig, type Rig } from '../../../rig/testing.ts';
import { startOperator, type InProcessOperator } from '../../testing/operator.ts';
import { until } from '../../testing/wait.ts';
import { KubeClient } from '../../runtime/transport.ts';
import { Events, Pods, RayClusters, Secrets, type KubeObject } from '../../runtime/resources.ts';
import {
  installCertManagerCRDs,
  removeCertManagerCRDs,
  startCertIssuer,
  type CertIssuer,
} from '../../testing/certIssuer.ts';
import { Certificates, Issuers, type CertificateObject } from './certManager.ts';

type RC = KubeObject & RayCluster;
type Cert = KubeObject & CertificateObject;
const sample = (): RC => kuberaySample('ray-cluster.mtls.yaml');

describe('tlsOptions (gate RayClusterMTLS on) on the rig', () => {
  let rig: Rig;
  let ns: string;
  let client: KubeClient;
  let op: InProcessOperator;
  let issuer: CertIssuer | undefined;
  const name = 'raycluster-mtls';
  const pods = async () =>
    (await client.list<KubeObject>(Pods, ns, { labelSelector: `ray.io/cluster=${name}` }))
      .items as (KubeObject & Pod)[];

  before(async () => {
    rig = await useRig();
    client = KubeClient.fromFile(rig.kubeconfigPath);
    await removeCertManagerCRDs(client); // the shared rig may hold them from an earlier run
    ns = await newNamespace(rig, 'rc-mtls');
    op = await startOperator(rig, [ns], {
      raycluster: {
        validateOptions: { featureGates: { RayClusterMTLS: true } },
        certManagerRecheckMs: 500,
      },
    });
  });
  after(async () => {
    await issuer?.stop();
    await op.stop();
    await removeCertManagerCRDs(client);
    client.close();
  });

  test('without cert-manager: nothing created, the status and an Event say so', async () => {
    const doc = sample();
    await client.create<RC>(RayClusters, { ...doc, metadata: { ...doc.metadata, namespace: ns } });
    const rc = await until('the status reason', async () => {
      const cur = await client.get<RC>(RayClusters, ns, name);
      return cur.status?.conditions?.find((c) => c.reason === 'CertManagerNotInstalled') ? cur : undefined;
    });
    assert.match(rc.status!.reason!, /tlsOptions requires cert-manager, but cert-manager is not installed/);
    assert.match(rc.status!.reason!, /install cert-manager/);
    const events = (await client.list<KubeObject & { reason?: string; message?: string }>(Events, ns)).items;
    assert.ok(
      events.some((e) => e.reason === 'InvalidRayClusterSpec' && e.message?.includes('cert-manager')),
    );
    assert.equal((await pods()).length, 0, 'no pod without certificates');
  });

  test('cert-manager installed: the PKI, SANs following the pods, pods wired for TLS, ready', async () => {
    await installCertManagerCRDs(client);
    // The operator notices cert-manager by itself (discovery asked again) and creates the PKI.
    const objs = await until('the five PKI objects', async () => {
      const is = (await client.list<KubeObject>(Issuers, ns)).items.map((o) => `Issuer/${o.metadata.name}`);
      const cs = (await client.list<KubeObject>(Certificates, ns)).items.map(
        (o) => `Certificate/${o.metadata.name}`,
      );
      const all = [...is, ...cs].sort();
      return all.length === 5 ? all : undefined;
    });
    assert.deepEqual(objs, [
      `Certificate/ray-ca-certificate-${name}`,
      `Certificate/ray-head-cert-${name}`,
      `Certificate/ray-worker-cert-${name}`,
      `Issuer/ray-ca-issuer-${name}`,
      `Issuer/ray-selfsigned-issuer-${name}`,
    ]);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal((await pods()).length, 0, 'no pod before cert-manager issued the certificates');

    issuer = startCertIssuer(client, ns);
    const rc = await until(
      'the sample cluster ready',
      async () => {
        const cur = await client.get<RC>(RayClusters, ns, name);
        return cur.status?.state === 'ready' && cur.status.readyWorkerReplicas === 1 ? cur : undefined;
      },
      { timeoutMs: 90_000 },
    );
    const all = await pods();
    const head = all.find((p) => p.metadata.labels?.['ray.io/node-type'] === 'head')!;
    const worker = all.find((p) => p.metadata.labels?.['ray.io/node-type'] === 'worker')!;

    // The leaf certificates list the pods' IPs, and the Secrets hold certificates issued for them.
    for (const [node, pod] of [
      ['head', head],
      ['worker', worker],
    ] as const) {
      const ip = pod.status!.podIP!;
      const cert = await until(`the ${node} certificate with ${ip}, reissued`, async () => {
        const c = await client.get<Cert>(Certificates, ns, `ray-${node}-cert-${name}`);
        const ready = c.status?.conditions?.find((x) => x.type === 'Ready');
        return c.spec?.ipAddresses?.includes(ip) && ready?.observedGeneration === c.metadata.generation
          ? c
          : undefined;
      });
      assert.deepEqual(cert.spec?.ipAddresses, [ip, '127.0.0.1'].sort());
      const secret = await client.get<KubeObject & { data: Record<string, string> }>(
        Secrets,
        ns,
        `ray-${node}-secret-${name}`,
      );
      const x509 = new X509Certificate(Buffer.from(secret.data['tls.crt']!, 'base64'));
      assert.ok(x509.subjectAltName?.includes(`IP Address:${ip}`), `${node}: ${x509.subjectAltName}`);
      const ca = new X509Certificate(Buffer.from(secret.data['ca.crt']!, 'base64'));
      assert.ok(x509.verify(ca.publicKey), `${node}: signed by the cluster CA`);
      assert.ok(
        secret.metadata.ownerReferences?.some((o) => o.kind === 'Certificate' && o.uid === cert.metadata.uid),
        `${node}: the Secret goes with its Certificate`,
      );
      if (node === 'head')
        assert.ok(cert.spec?.dnsNames?.includes(`${name}-head-svc.${ns}.svc.cluster.local`));

      // The pod: its Secret at /etc/ray/tls, Ray's TLS env, the IP-SAN wait first.
      const spec = pod.spec!;
      assert.equal(
        spec.volumes?.find((v) => v.name === 'ray-tls')?.secret?.secretName,
        `ray-${node}-secret-${name}`,
      );
      const env = Object.fromEntries((spec.containers[0]!.env ?? []).map((e) => [e.name, e.value]));
      assert.equal(env.RAY_USE_TLS, '1');
      assert.equal(env.RAY_TLS_CA_CERT, '/etc/ray/tls/ca.crt');
      assert.equal(spec.initContainers?.[0]?.name, 'wait-for-tls-ip-san');
    }
    // Every object of the PKI is owned by the cluster (garbage-collected with it).
    for (const o of [
      ...(await client.list<KubeObject>(Issuers, ns)).items,
      ...(await client.list<KubeObject>(Certificates, ns)).items,
    ])
      assert.equal(o.metadata.ownerReferences?.[0]?.uid, rc.metadata.uid, o.metadata.name);
    const reasons = async () =>
      (await client.list<KubeObject & { reason?: string }>(Events, ns)).items.map((e) => e.reason);
    await until('the MTLSPKIReady Event', async () => (await reasons()).includes('MTLSPKIReady'));
    // One SAN update per pod that got an IP (head, worker): a converged certificate is not rewritten.
    const updates = (await reasons()).filter((r) => r === 'MTLSCertificatesUpdated').length;
    assert.ok(updates >= 1 && updates <= 2, `${updates} SAN updates`);
  });
});
