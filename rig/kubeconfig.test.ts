import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { createPki } from './pki.ts';
import { renderKubeconfig } from './kubeconfig.ts';

test('client-node loads the kubeconfig with the server, CA and client certificate', () => {
  const pki = createPki();
  const text = renderKubeconfig({
    name: 'kuray-rig-x',
    server: 'https://127.0.0.1:6443',
    caCert: pki.ca.cert,
    user: 'admin',
    clientCert: pki.admin.cert,
    clientKey: pki.admin.key,
  });
  const path = join(mkdtempSync(join(tmpdir(), 'rig-kc-')), 'kubeconfig');
  writeFileSync(path, text);
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  assert.equal(kc.getCurrentContext(), 'kuray-rig-x');
  assert.equal(kc.getCurrentCluster()?.server, 'https://127.0.0.1:6443');
  assert.equal(Buffer.from(kc.getCurrentCluster()!.caData!, 'base64').toString(), pki.ca.cert);
  assert.equal(Buffer.from(kc.getCurrentUser()!.certData!, 'base64').toString(), pki.admin.cert);
  assert.equal(Buffer.from(kc.getCurrentUser()!.keyData!, 'base64').toString(), pki.admin.key);
});

test('a token user is written as a bearer token', () => {
  const text = renderKubeconfig({
    name: 'c',
    server: 'https://127.0.0.1:1',
    caCert: 'x',
    user: 'u',
    token: 'abc',
  });
  const kc = new KubeConfig();
  kc.loadFromString(text);
  assert.equal(kc.getCurrentUser()?.token, 'abc');
});
