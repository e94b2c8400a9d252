import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KubeConfig } from '@kubernetes/client-node';
import {
  findManifest,
  findManifests,
  parseManifests,
  serviceAccountUser,
  tokenKubeconfig,
} from './manifests.ts';

describe('parseManifests', () => {
  test('skips empty documents and flattens Lists', () => {
    const text = [
      '---',
      '# only a comment',
      '---',
      'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: a, namespace: x}',
      '---',
      'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata: {name: b}',
    ].join('\n');
    const objs = parseManifests(text);
    assert.deepEqual(
      objs.map((o) => `${o.kind}/${o.metadata.name}`),
      ['ServiceAccount/a', 'Service/b'],
    );
  });

  test('a document that is not an object names its position', () => {
    assert.throws(
      () => parseManifests('apiVersion: v1\nkind: A\nmetadata: {}\n---\n- 1\n', 'f.yaml'),
      /f\.yaml: document 2/,
    );
  });

  test('findManifest wants exactly one and lists what exists otherwise', () => {
    const objs = parseManifests(
      'apiVersion: v1\nkind: Role\nmetadata: {name: r, namespace: a}\n---\napiVersion: v1\nkind: Role\nmetadata: {name: r, namespace: b}\n',
    );
    assert.equal(findManifests(objs, 'Role').length, 2);
    assert.equal(findManifest(objs, 'Role', { namespace: 'b' }).metadata.namespace, 'b');
    assert.throws(() => findManifest(objs, 'Role'), /found 2; objects: Role\/a\/r, Role\/b\/r/);
  });
});

describe('tokenKubeconfig', () => {
  test('client-node reads it back: server, CA, bearer token, namespace', () => {
    const user = serviceAccountUser('ray-system', 'kuberay-operator');
    assert.equal(user, 'system:serviceaccount:ray-system:kuberay-operator');
    const kc = new KubeConfig();
    kc.loadFromString(
      tokenKubeconfig({
        server: 'https://127.0.0.1:6443',
        caCert: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
        token: 'abc.def\n',
        user,
        namespace: 'ray-system',
      }),
    );
    assert.equal(kc.getCurrentCluster()?.server, 'https://127.0.0.1:6443');
    assert.match(Buffer.from(kc.getCurrentCluster()?.caData ?? '', 'base64').toString(), /BEGIN CERTIFICATE/);
    assert.equal(kc.getCurrentUser()?.token, 'abc.def');
    assert.equal(kc.getContextObject(kc.getCurrentContext())?.namespace, 'ray-system');
  });
});
