// Kubeconfig files for the rig: one per identity (admin for people and tests, one per component so
// the apiserver's audit and RBAC see who is who). Credentials are embedded (…-data) so the file is
// self-contained and can be copied.
import { toYaml } from '../src/util/yaml.ts';

export interface KubeconfigInput {
  /** Cluster and context name. */
  name: string;
  server: string;
  caCert: string;
  user: string;
  clientCert?: string;
  clientKey?: string;
  token?: string;
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

export function kubeconfigObject(k: KubeconfigInput): Record<string, unknown> {
  const user: Record<string, string> = {};
  if (k.clientCert) user['client-certificate-data'] = b64(k.clientCert);
  if (k.clientKey) user['client-key-data'] = b64(k.clientKey);
  if (k.token) user.token = k.token;
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: k.name, cluster: { server: k.server, 'certificate-authority-data': b64(k.caCert) } }],
    users: [{ name: k.user, user }],
    contexts: [{ name: k.name, context: { cluster: k.name, user: k.user } }],
    'current-context': k.name,
    preferences: {},
  };
}

export function renderKubeconfig(k: KubeconfigInput): string {
  return toYaml(kubeconfigObject(k));
}
