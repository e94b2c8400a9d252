import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { base, set, W } from '../api/validation/fixtures.ts';
import { rayCluster, withHeadServiceType, withRayVersion, withWorkers } from '../testing/builders.ts';
import { formatWarnings, mutateAdmission, validateAdmission, type AdmissionRequest } from './admission.ts';
import { caBundle, decide, serviceNames } from './certs.ts';
import { jsonPatch } from './jsonPatch.ts';

const req = (object: unknown, more: Partial<AdmissionRequest> = {}): AdmissionRequest => ({
  uid: 'u1',
  kind: { group: 'ray.io', version: 'v1', kind: 'RayCluster' },
  operation: 'CREATE',
  object,
  ...more,
});

test('errors deny with every field path, what is wrong and the fix', () => {
  const bad = set(set(base, `${W}.rayStartParams`, { 'temp-dir': '/tmp; touch /x' }), `${W}.replicas`, -1);
  const r = validateAdmission(req(bad));
  assert.equal(r.allowed, false);
  assert.equal(r.uid, 'u1');
  assert.equal(r.status?.code, 422);
  assert.match(
    r.status.message,
    /spec\.workerGroupSpecs\[0\]\.rayStartParams\.temp-dir: .*shell syntax.*\(fix: /,
  );
  assert.match(r.status.message, /spec\.workerGroupSpecs\[0\]\.replicas: /);
  assert.equal(validateAdmission(req(base)).allowed, true);
});

test('warnings are kubectl Warning lines, at most 256 characters each, and point at the full text', () => {
  const r = validateAdmission(req(rayCluster('c', withHeadServiceType('LoadBalancer'))));
  assert.equal(r.allowed, true);
  assert.ok(
    r.warnings?.some((w) => w.startsWith('spec.headGroupSpec.serviceType: ') && w.includes('CVE-2023-48022')),
  );
  for (const w of r.warnings ?? []) assert.ok(w.length <= 256, w);
  const long = formatWarnings([{ path: 'p', message: 'm'.repeat(400), hint: 'h' }]);
  assert.equal(long[0]!.length, 256);
  assert.match(long.at(-1)!, /kuray validate -f/);
  const many = formatWarnings(
    Array.from({ length: 100 }, (_, i) => ({ path: `p${i}`, message: 'x'.repeat(100), hint: 'y' })),
  );
  assert.ok(many.join('').length < 4096, 'the API server keeps at most 4 KiB of warnings');
});

test('UPDATE counts only what the change introduced; objects on their way out always pass', () => {
  const stored = set(base, `${W}.replicas`, -1); // stored before the rule existed
  const scaled = set(set(stored, 'metadata.labels', { a: 'b' }), `${W}.minReplicas`, 0);
  assert.equal(validateAdmission(req(scaled, { operation: 'UPDATE', oldObject: stored })).allowed, true);
  const worse = set(stored, `${W}.rayStartParams`, { 'bad key': '1' });
  const r = validateAdmission(req(worse, { operation: 'UPDATE', oldObject: stored }));
  assert.equal(r.allowed, false);
  assert.doesNotMatch(r.status!.message, /replicas/, 'the old error is not held against the update');
  const deleting = set(worse, 'metadata.deletionTimestamp', '2026-01-01T00:00:00Z');
  assert.equal(validateAdmission(req(deleting, { operation: 'UPDATE', oldObject: stored })).allowed, true);
});

test('mutating: KubeRay defaults written in; --default-token-auth only for new, user-made, Ray >= 2.52 clusters', () => {
  const rc = rayCluster('c', withWorkers(1), withRayVersion('2.58.0'));
  delete (rc.spec.workerGroupSpecs![0] as { rayStartParams?: unknown }).rayStartParams;
  const patchOf = (r: ReturnType<typeof mutateAdmission>) =>
    r.patch
      ? (JSON.parse(Buffer.from(r.patch, 'base64').toString()) as { path: string; value: unknown }[])
      : [];
  const plain = patchOf(mutateAdmission(req(rc)));
  assert.deepEqual(plain.find((o) => o.path === '/spec/workerGroupSpecs/0/rayStartParams')?.value, {});
  assert.equal(
    plain.find((o) => o.path === '/spec/authOptions'),
    undefined,
  );

  const withAuth = patchOf(mutateAdmission(req(rc), { defaultTokenAuth: true }));
  assert.deepEqual(withAuth.find((o) => o.path === '/spec/authOptions')?.value, { mode: 'token' });
  const update = patchOf(
    mutateAdmission(req(rc, { operation: 'UPDATE', oldObject: rc }), { defaultTokenAuth: true }),
  );
  assert.equal(
    update.find((o) => o.path === '/spec/authOptions'),
    undefined,
    'existing clusters keep what they run',
  );
  const child = set(rc, 'metadata.labels', { 'ray.io/originated-from-crd': 'RayJob' });
  assert.equal(
    patchOf(mutateAdmission(req(child), { defaultTokenAuth: true })).find(
      (o) => o.path === '/spec/authOptions',
    ),
    undefined,
  );
  const old = rayCluster('c', withRayVersion('2.9.0'));
  assert.equal(
    patchOf(mutateAdmission(req(old), { defaultTokenAuth: true })).find(
      (o) => o.path === '/spec/authOptions',
    ),
    undefined,
  );
});

test('jsonPatch: adds, replaces and removes with escaped keys', () => {
  assert.deepEqual(
    jsonPatch({ a: { 'x/y': 1 }, b: [1, 2], c: 1 }, { a: { 'x/y': 2, n: true }, b: [1, 3], d: 'e' }),
    [
      { op: 'remove', path: '/c' },
      { op: 'replace', path: '/a/x~1y', value: 2 },
      { op: 'add', path: '/a/n', value: true },
      { op: 'replace', path: '/b/1', value: 3 },
      { op: 'add', path: '/d', value: 'e' },
    ],
  );
});

test('certificates: issued for the Service names, kept while fresh, renewed at 2/3 of life, CA rotation keeps trust', () => {
  const names = serviceNames('kuray-webhook', 'ray-system');
  const now = new Date();
  const first = decide(undefined, names, now)!;
  const leaf = new X509Certificate(first.serving.cert);
  assert.ok(leaf.checkHost('kuray-webhook.ray-system.svc'));
  assert.ok(leaf.verify(new X509Certificate(first.ca.cert).publicKey));
  assert.equal(decide(first, names, now), undefined, 'nothing to do');

  const days = (n: number) => new Date(now.getTime() + n * 86_400_000);
  const renewed = decide(first, names, days(250))!;
  assert.notEqual(renewed.serving.cert, first.serving.cert);
  assert.equal(renewed.ca.cert, first.ca.cert, 'the CA stays: clients keep trusting it');
  const renamed = decide(first, serviceNames('other', 'ray-system'), now)!;
  assert.ok(new X509Certificate(renamed.serving.cert).checkHost('other.ray-system.svc'));

  const rotated = decide(first, names, days(2500))!;
  assert.notEqual(rotated.ca.cert, first.ca.cert);
  assert.equal(rotated.previousCa, first.ca.cert);
  assert.equal(
    caBundle(rotated),
    rotated.ca.cert + first.ca.cert,
    'old and new CA trusted while replicas switch',
  );
  assert.ok(new X509Certificate(rotated.serving.cert).verify(new X509Certificate(rotated.ca.cert).publicKey));
});
