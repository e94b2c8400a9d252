// Command lines of the rig's components (pure: layout + ports in, argv out). Everything binds to
// 127.0.0.1; every port is chosen per rig so two rigs run side by side.
import { join } from 'node:path';

export const componentOrder = [
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kwok',
] as const;
export type Component = (typeof componentOrder)[number];

export interface Ports {
  etcdClient: number;
  etcdPeer: number;
  apiserver: number;
  controllerManager: number;
  scheduler: number;
  kwok: number;
}

export const serviceClusterIpRange = '10.96.0.0/12';
/** Fake pod IPs. Never dialled: there is no network behind them (loopback-only rule). */
export const podCidr = '10.244.0.0/16';

/** File layout of one rig's state directory. */
export function layout(dir: string) {
  const pki = join(dir, 'pki');
  return {
    dir,
    state: join(dir, 'state.json'),
    pki,
    ca: join(pki, 'ca.crt'),
    apiserverCert: join(pki, 'apiserver.crt'),
    apiserverKey: join(pki, 'apiserver.key'),
    saKey: join(pki, 'sa.key'),
    saPub: join(pki, 'sa.pub'),
    kwokCert: join(pki, 'kwok.crt'),
    kwokKey: join(pki, 'kwok.key'),
    frontProxyCert: join(pki, 'front-proxy-client.crt'),
    frontProxyKey: join(pki, 'front-proxy-client.key'),
    kubeletClientCert: join(pki, 'apiserver-kubelet-client.crt'),
    kubeletClientKey: join(pki, 'apiserver-kubelet-client.key'),
    tokens: join(pki, 'tokens.csv'),
    kubeconfig: join(dir, 'kubeconfig'),
    kubeconfigOf: (who: 'controller-manager' | 'scheduler' | 'kwok') => join(dir, `kubeconfig-${who}`),
    etcdData: join(dir, 'etcd'),
    certDir: (c: string) => join(dir, 'certs', c),
    logs: join(dir, 'logs'),
    log: (c: string) => join(dir, 'logs', `${c}.log`),
    kwokConfig: join(dir, 'kwok.yaml'),
    bin: join(dir, 'bin'),
  };
}
export type Layout = ReturnType<typeof layout>;

const loop = '127.0.0.1';

export function componentArgs(c: Component, l: Layout, p: Ports): string[] {
  switch (c) {
    case 'etcd':
      return [
        '--name=rig',
        `--data-dir=${l.etcdData}`,
        `--listen-client-urls=http://${loop}:${p.etcdClient}`,
        `--advertise-client-urls=http://${loop}:${p.etcdClient}`,
        `--listen-peer-urls=http://${loop}:${p.etcdPeer}`,
        `--initial-advertise-peer-urls=http://${loop}:${p.etcdPeer}`,
        `--initial-cluster=rig=http://${loop}:${p.etcdPeer}`,
        // Throwaway data on tmpfs: durability buys nothing, fsync costs latency.
        '--unsafe-no-fsync=true',
        '--auto-compaction-mode=periodic',
        '--auto-compaction-retention=5m',
        '--quota-backend-bytes=4294967296',
        '--log-level=warn',
      ];
    case 'kube-apiserver':
      return [
        `--etcd-servers=http://${loop}:${p.etcdClient}`,
        `--bind-address=${loop}`,
        `--advertise-address=${loop}`,
        `--secure-port=${p.apiserver}`,
        `--tls-cert-file=${l.apiserverCert}`,
        `--tls-private-key-file=${l.apiserverKey}`,
        `--client-ca-file=${l.ca}`,
        `--token-auth-file=${l.tokens}`,
        // requestheader (front-proxy) auth: without it every delegating component (controller-manager,
        // scheduler) logs a missing CA bundle and aggregated APIs could not authenticate users.
        `--requestheader-client-ca-file=${l.ca}`,
        '--requestheader-allowed-names=front-proxy-client',
        '--requestheader-username-headers=X-Remote-User',
        '--requestheader-group-headers=X-Remote-Group',
        '--requestheader-extra-headers-prefix=X-Remote-Extra-',
        `--proxy-client-cert-file=${l.frontProxyCert}`,
        `--proxy-client-key-file=${l.frontProxyKey}`,
        // Its identity towards kubelets: the local node (rig/node) serves logs and exec only to it.
        `--kubelet-client-certificate=${l.kubeletClientCert}`,
        `--kubelet-client-key=${l.kubeletClientKey}`,
        `--service-account-key-file=${l.saPub}`,
        `--service-account-signing-key-file=${l.saKey}`,
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-cluster-ip-range=${serviceClusterIpRange}`,
        '--authorization-mode=Node,RBAC',
        '--allow-privileged=true',
        // No kubelets or kube-proxy dial the `kubernetes` Service endpoints; a fixed loopback
        // endpoint would be wrong, none is honest.
        '--endpoint-reconciler-type=none',
        `--cert-dir=${l.certDir('kube-apiserver')}`,
        '--profiling=false',
      ];
    case 'kube-controller-manager':
      return [
        `--kubeconfig=${l.kubeconfigOf('controller-manager')}`,
        `--authentication-kubeconfig=${l.kubeconfigOf('controller-manager')}`,
        `--authorization-kubeconfig=${l.kubeconfigOf('controller-manager')}`,
        `--bind-address=${loop}`,
        `--secure-port=${p.controllerManager}`,
        `--cert-dir=${l.certDir('kube-controller-manager')}`,
        // The token controller signs legacy SA token Secrets; the root CA goes into every
        // namespace's kube-root-ca.crt ConfigMap.
        `--service-account-private-key-file=${l.saKey}`,
        `--root-ca-file=${l.ca}`,
        `--service-cluster-ip-range=${serviceClusterIpRange}`,
        // Each controller acts as its own ServiceAccount with the bootstrap RBAC roles (as kubeadm runs it).
        '--use-service-account-credentials=true',
        '--leader-elect=false',
        '--controllers=*',
        '--kube-api-qps=500',
        '--kube-api-burst=1000',
        '--concurrent-gc-syncs=20',
        '--profiling=false',
      ];
    case 'kube-scheduler':
      return [
        `--kubeconfig=${l.kubeconfigOf('scheduler')}`,
        `--authentication-kubeconfig=${l.kubeconfigOf('scheduler')}`,
        `--authorization-kubeconfig=${l.kubeconfigOf('scheduler')}`,
        `--bind-address=${loop}`,
        `--secure-port=${p.scheduler}`,
        `--cert-dir=${l.certDir('kube-scheduler')}`,
        '--leader-elect=false',
        '--kube-api-qps=500',
        '--kube-api-burst=1000',
        '--profiling=false',
      ];
    case 'kwok':
      return [
        `--kubeconfig=${l.kubeconfigOf('kwok')}`,
        `--config=${l.kwokConfig}`,
        // Only nodes the profile marks fake; a real node agent (future `real` profile) owns the rest.
        '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
        `--cidr=${podCidr}`,
        `--node-ip=${loop}`,
        `--node-port=${p.kwok}`,
        `--server-address=${loop}:${p.kwok}`,
        `--tls-cert-file=${l.kwokCert}`,
        `--tls-private-key-file=${l.kwokKey}`,
        '--node-lease-duration-seconds=40',
      ];
  }
}

export function portList(p: Ports): number[] {
  return [p.etcdClient, p.etcdPeer, p.apiserver, p.controllerManager, p.scheduler, p.kwok];
}
