import { X509Certificate, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createCa, createPki, issueCert } from './pki.ts';

describe('pki', () => {
  const pki = createPki();
  const ca = new X509Certificate(pki.ca.cert);

  test('the CA is a self-signed CA certificate', () => {
    assert.equal(ca.ca, true);
    assert.equal(ca.verify(ca.publicKey), true);
    assert.equal(ca.checkIssued(ca), true);
    assert.match(ca.subject, /CN=kuray-rig-ca/);
  });

  test('the apiserver certificate is valid for loopback and the in-cluster names, signed by the CA', () => {
    const cert = new X509Certificate(pki.apiserver.cert);
    assert.equal(cert.ca, false);
    assert.equal(cert.verify(ca.publicKey), true);
    assert.equal(cert.checkIssued(ca), true);
    assert.equal(cert.checkIP('127.0.0.1'), '127.0.0.1');
    assert.equal(cert.checkHost('localhost'), 'localhost');
    assert.equal(cert.checkHost('kubernetes.default.svc'), 'kubernetes.default.svc');
    assert.equal(cert.checkIP('10.96.0.1'), '10.96.0.1');
    assert.equal(cert.checkIP('192.168.1.1'), undefined);
    assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.1']);
    assert.ok(new Date(cert.validFrom) < new Date());
    assert.ok(new Date(cert.validTo) > new Date(Date.now() + 300 * 86400_000));
  });

  test('the admin client certificate is in system:masters and only for client auth', () => {
    const cert = new X509Certificate(pki.admin.cert);
    assert.equal(cert.verify(ca.publicKey), true);
    assert.match(cert.subject, /O=system:masters/);
    assert.match(cert.subject, /CN=kuray-rig-admin/);
    assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.2']);
  });

  test('each key matches its certificate', () => {
    for (const kp of [pki.ca, pki.apiserver, pki.admin, pki.controllerManager, pki.scheduler, pki.kwok]) {
      const data = Buffer.from('proof');
      const sig = sign('sha256', data, createPrivateKey(kp.key));
      assert.equal(verify('sha256', data, new X509Certificate(kp.cert).publicKey, sig), true);
    }
  });

  test('the service-account key pair matches', () => {
    const data = Buffer.from('token');
    const sig = sign('sha256', data, createPrivateKey(pki.serviceAccountKey));
    assert.equal(verify('sha256', data, createPublicKey(pki.serviceAccountPub), sig), true);
  });

  test('a certificate from another CA does not verify', () => {
    const other = createCa('other');
    const leaf = new X509Certificate(issueCert(other, { subject: { cn: 'x' }, usage: 'client' }).cert);
    assert.equal(leaf.verify(ca.publicKey), false);
    assert.equal(leaf.verify(new X509Certificate(other.cert).publicKey), true);
  });

  test('serial numbers are unique', () => {
    const serials = [pki.ca, pki.apiserver, pki.admin, pki.controllerManager, pki.scheduler, pki.kwok].map(
      (kp) => new X509Certificate(kp.cert).serialNumber,
    );
    assert.equal(new Set(serials).size, serials.length);
  });
});
