// Writes a new rig directory: PKI, tokens, kubeconfigs per identity, KWOK stages, and a bin/ of
// symlinks to the binaries (put on PATH for tests, so `kubectl` and `helm` are the rig's).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BinaryPaths } from './build.ts';
import type { Layout } from './components.ts';
import { renderKubeconfig } from './kubeconfig.ts';
import { kwokConfigYaml } from './kwok-stages.ts';
import { createPki, type KeyPairPem } from './pki.ts';

export interface Written {
  token: string;
}

export function writeRigFiles(l: Layout, name: string, server: string, bins: Partial<BinaryPaths>): Written {
  for (const d of [l.dir, l.pki, l.logs, l.bin, l.etcdData]) mkdirSync(d, { recursive: true, mode: 0o700 });
  for (const c of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler']) {
    mkdirSync(l.certDir(c), { recursive: true });
  }
  const pki = createPki();
  const secret = { mode: 0o600 };
  const pair = (crt: string, key: string, kp: KeyPairPem): void => {
    writeFileSync(crt, kp.cert);
    writeFileSync(key, kp.key, secret);
  };
  writeFileSync(l.ca, pki.ca.cert);
  writeFileSync(join(l.pki, 'ca.key'), pki.ca.key, secret);
  pair(l.apiserverCert, l.apiserverKey, pki.apiserver);
  pair(l.kwokCert, l.kwokKey, pki.kwok);
  pair(l.frontProxyCert, l.frontProxyKey, pki.frontProxy);
  pair(l.kubeletClientCert, l.kubeletClientKey, pki.kubeletClient);
  writeFileSync(l.saKey, pki.serviceAccountKey, secret);
  writeFileSync(l.saPub, pki.serviceAccountPub);
  // A bearer token too, for clients that cannot present a certificate (curl, quick scripts).
  const token = randomBytes(24).toString('hex');
  writeFileSync(l.tokens, `${token},kuray-rig-admin,kuray-rig-admin,"system:masters"\n`, secret);

  const cfg = (user: string, kp: KeyPairPem): string =>
    renderKubeconfig({
      name: `kuray-rig-${name}`,
      server,
      caCert: pki.ca.cert,
      user,
      clientCert: kp.cert,
      clientKey: kp.key,
    });
  writeFileSync(l.kubeconfig, cfg('admin', pki.admin), secret);
  writeFileSync(
    l.kubeconfigOf('controller-manager'),
    cfg('kube-controller-manager', pki.controllerManager),
    secret,
  );
  writeFileSync(l.kubeconfigOf('scheduler'), cfg('kube-scheduler', pki.scheduler), secret);
  writeFileSync(l.kubeconfigOf('kwok'), cfg('kwok', pki.kwok), secret);
  writeFileSync(join(l.pki, 'admin.crt'), pki.admin.cert);
  writeFileSync(join(l.pki, 'admin.key'), pki.admin.key, secret);
  writeFileSync(l.kwokConfig, kwokConfigYaml());

  for (const [bin, path] of Object.entries(bins)) {
    const link = join(l.bin, bin);
    if (!existsSync(link)) symlinkSync(path, link);
  }
  return { token };
}
