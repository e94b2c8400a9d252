// metrics-server on the rig (the `real` profile): scrapes /metrics/resource of every node (the
// local node serves it, rig/node/metrics.ts) and serves metrics.k8s.io through the API server's
// aggregation layer, so `kubectl top pods|nodes` works as on a real cluster.
//
// It runs as a rig process on 127.0.0.1, not as a pod. The APIService points at an ExternalName
// Service whose name is `localhost`: the aggregator dials `<externalName>:<APIService port>` (it
// would dial a ClusterIP, which is not reachable here, for a ClusterIP Service) and checks the
// serving certificate for `metrics-server.kube-system.svc` against the APIService's caBundle.
// Kubelets are scraped with --kubelet-insecure-tls: the local node's serving certificate is its own.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Layout } from './components.ts';
import { renderKubeconfig } from './kubeconfig.ts';
import { issueCert } from './pki.ts';

export const metricsServerUser = 'system:metrics-server';
export const metricsApiService = 'v1beta1.metrics.k8s.io';

/** Certificate, key and kubeconfig of metrics-server in the rig directory; returns its argv. */
export function metricsServerSetup(l: Layout, rigName: string, server: string, port: number): string[] {
  const ca = { cert: readFileSync(l.ca, 'utf8'), key: readFileSync(join(l.pki, 'ca.key'), 'utf8') };
  const serving = issueCert(ca, {
    subject: { cn: 'metrics-server' },
    sans: ['metrics-server.kube-system.svc', 'localhost', '127.0.0.1'],
    usage: 'server',
  });
  const client = issueCert(ca, { subject: { cn: metricsServerUser }, usage: 'client' });
  const crt = join(l.pki, 'metrics-server.crt');
  const key = join(l.pki, 'metrics-server.key');
  const kubeconfig = join(l.dir, 'kubeconfig-metrics-server');
  writeFileSync(crt, serving.cert);
  writeFileSync(key, serving.key, { mode: 0o600 });
  writeFileSync(
    kubeconfig,
    renderKubeconfig({
      name: `kuray-rig-${rigName}`,
      server,
      caCert: ca.cert,
      user: metricsServerUser,
      clientCert: client.cert,
      clientKey: client.key,
    }),
    { mode: 0o600 },
  );
  return [
    `--secure-port=${port}`,
    '--bind-address=127.0.0.1',
    `--tls-cert-file=${crt}`,
    `--tls-private-key-file=${key}`,
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    '--kubelet-insecure-tls',
    '--kubelet-preferred-address-types=InternalIP',
    '--kubelet-use-node-status-port',
    // The shortest resolution it accepts: `kubectl top` answers ~20 s after a pod starts.
    '--metric-resolution=10s',
    '--kubelet-request-timeout=5s',
  ];
}

/** RBAC, the ExternalName Service and the APIService (metrics-server's own manifests, adapted). */
export function metricsServerManifests(port: number, caPem: string): Record<string, unknown>[] {
  const meta = (name: string, namespace?: string) => ({
    name,
    ...(namespace ? { namespace } : {}),
    labels: { 'k8s-app': 'metrics-server' },
  });
  const user = [{ kind: 'User', name: metricsServerUser, apiGroup: 'rbac.authorization.k8s.io' }];
  const rbac = 'rbac.authorization.k8s.io/v1';
  return [
    {
      apiVersion: rbac,
      kind: 'ClusterRole',
      metadata: meta('system:metrics-server'),
      rules: [
        { apiGroups: [''], resources: ['nodes/metrics'], verbs: ['get'] },
        { apiGroups: [''], resources: ['pods', 'nodes'], verbs: ['get', 'list', 'watch'] },
      ],
    },
    {
      // Lets view/edit/admin users run `kubectl top`.
      apiVersion: rbac,
      kind: 'ClusterRole',
      metadata: {
        ...meta('system:aggregated-metrics-reader'),
        labels: {
          'k8s-app': 'metrics-server',
          'rbac.authorization.k8s.io/aggregate-to-admin': 'true',
          'rbac.authorization.k8s.io/aggregate-to-edit': 'true',
          'rbac.authorization.k8s.io/aggregate-to-view': 'true',
        },
      },
      rules: [
        { apiGroups: ['metrics.k8s.io'], resources: ['pods', 'nodes'], verbs: ['get', 'list', 'watch'] },
      ],
    },
    {
      apiVersion: rbac,
      kind: 'ClusterRoleBinding',
      metadata: meta('system:metrics-server'),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:metrics-server' },
      subjects: user,
    },
    {
      apiVersion: rbac,
      kind: 'ClusterRoleBinding',
      metadata: meta('metrics-server:system:auth-delegator'),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:auth-delegator' },
      subjects: user,
    },
    {
      apiVersion: rbac,
      kind: 'RoleBinding',
      metadata: meta('metrics-server-auth-reader', 'kube-system'),
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'Role',
        name: 'extension-apiserver-authentication-reader',
      },
      subjects: user,
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('metrics-server', 'kube-system'),
      spec: { type: 'ExternalName', externalName: 'localhost' },
    },
    {
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: meta(metricsApiService),
      spec: {
        group: 'metrics.k8s.io',
        version: 'v1beta1',
        groupPriorityMinimum: 100,
        versionPriority: 100,
        service: { name: 'metrics-server', namespace: 'kube-system', port },
        caBundle: Buffer.from(caPem).toString('base64'),
      },
    },
  ];
}
