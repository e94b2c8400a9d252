// kubectl's global connection flags (cli-runtime's ConfigFlags, as KubeRay's plugin takes them) and
// the client they make. When kubectl runs a plugin it passes no flags of its own: the plugin reads
// $KUBECONFIG/~/.kube/config itself and acts with the user's credentials and RBAC only.
import type { Command } from 'commander';
import { KubeConfig, type Cluster, type Context, type User } from '../../runtime/kubeconfig.ts';
import { KubeClient } from '../../runtime/transport.ts';

export interface GlobalFlags {
  kubeconfig?: string;
  context?: string;
  cluster?: string;
  user?: string;
  namespace?: string;
  server?: string;
  token?: string;
  certificateAuthority?: string;
  clientCertificate?: string;
  clientKey?: string;
  tlsServerName?: string;
  insecureSkipTlsVerify?: boolean;
  as?: string;
  asGroup?: string[];
  asUid?: string;
  requestTimeout?: string;
  cacheDir?: string;
  disableCompression?: boolean;
}

/** The long names of the global flags (a test compares them with KubeRay's plugin). */
export const globalFlagNames = [
  'as',
  'as-group',
  'as-uid',
  'cache-dir',
  'certificate-authority',
  'client-certificate',
  'client-key',
  'cluster',
  'context',
  'disable-compression',
  'insecure-skip-tls-verify',
  'kubeconfig',
  'namespace',
  'request-timeout',
  'server',
  'tls-server-name',
  'token',
  'user',
] as const;

export function addGlobalFlags(cmd: Command): Command {
  return cmd
    .option('--kubeconfig <path>', 'path to the kubeconfig file to use for CLI requests')
    .option('--context <name>', 'the name of the kubeconfig context to use')
    .option('--cluster <name>', 'the name of the kubeconfig cluster to use')
    .option('--user <name>', 'the name of the kubeconfig user to use')
    .option('-n, --namespace <namespace>', 'if present, the namespace scope for this CLI request')
    .option('-s, --server <url>', 'the address and port of the Kubernetes API server')
    .option('--token <token>', 'bearer token for authentication to the API server')
    .option('--certificate-authority <path>', 'path to a cert file for the certificate authority')
    .option('--client-certificate <path>', 'path to a client certificate file for TLS')
    .option('--client-key <path>', 'path to a client key file for TLS')
    .option('--tls-server-name <name>', 'server name to use for server certificate validation')
    .option('--insecure-skip-tls-verify', "do not check the server's certificate (insecure)")
    .option('--as <user>', 'username to impersonate for the operation')
    .option('--as-group <group>', 'group to impersonate (repeat for several)', collect, [])
    .option('--as-uid <uid>', 'UID to impersonate for the operation')
    .option(
      '--request-timeout <duration>',
      'accepted for kubectl compatibility; requests use the client timeouts',
    )
    .option('--cache-dir <dir>', 'accepted for kubectl compatibility (no discovery cache is kept)')
    .option('--disable-compression', 'accepted for kubectl compatibility');
}

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

/** A connection to the cluster the flags name, with the namespace to act in. */
export class Kube {
  readonly client: KubeClient;
  readonly kubeconfig: KubeConfig;
  readonly namespace: string;
  /** Whether -n/--namespace was given (KubeRay: a namespace in a --file must then match it). */
  readonly namespaceFromFlag: boolean;
  readonly #flags: GlobalFlags;

  constructor(flags: GlobalFlags, kc = loadKubeConfig(flags)) {
    this.#flags = flags;
    this.kubeconfig = kc;
    this.client = new KubeClient(kc, { qps: 50, burst: 100, userAgent: 'kubectl-ray (kuray)' });
    this.namespaceFromFlag = flags.namespace !== undefined;
    this.namespace = flags.namespace ?? kc.getCurrentNamespace();
  }

  /** The same connection flags for a `kubectl` child (port-forward, exec). */
  kubectlArgs(): string[] {
    const f = this.#flags;
    const out: string[] = [];
    const pass = (name: string, v: string | undefined) => {
      if (v !== undefined) out.push(`--${name}=${v}`);
    };
    pass('kubeconfig', f.kubeconfig);
    pass('context', f.context);
    pass('cluster', f.cluster);
    pass('user', f.user);
    pass('server', f.server);
    pass('token', f.token);
    pass('certificate-authority', f.certificateAuthority);
    pass('client-certificate', f.clientCertificate);
    pass('client-key', f.clientKey);
    pass('tls-server-name', f.tlsServerName);
    if (f.insecureSkipTlsVerify) out.push('--insecure-skip-tls-verify');
    pass('as', f.as);
    for (const g of f.asGroup ?? []) out.push(`--as-group=${g}`);
    pass('as-uid', f.asUid);
    return out;
  }

  close(): void {
    this.client.close();
  }
}

/** The kubeconfig kubectl would use with these flags: file, context, then per-field overrides. */
export function loadKubeConfig(f: GlobalFlags, env: NodeJS.ProcessEnv = process.env): KubeConfig {
  const kc = new KubeConfig();
  if (f.kubeconfig) kc.loadFromFile(f.kubeconfig);
  else if (f.server && !env.KUBECONFIG) {
    // Everything on the command line, nothing on disk (kubectl allows it).
    kc.loadFromOptions({
      clusters: [{ name: 'cli', server: f.server, skipTLSVerify: false }],
      users: [{ name: 'cli' }],
      contexts: [{ name: 'cli', cluster: 'cli', user: 'cli' }],
      currentContext: 'cli',
    });
  } else kc.loadFromDefault({ env });
  if (f.context) {
    if (!kc.getContextObject(f.context))
      throw new Error(
        `context "${f.context}" does not exist in the kubeconfig: pick one of ${kc.contexts.map((c) => c.name).join(', ')}`,
      );
    kc.setCurrentContext(f.context);
  }
  const overrides =
    f.cluster ??
    f.user ??
    f.server ??
    f.token ??
    f.certificateAuthority ??
    f.clientCertificate ??
    f.clientKey;
  if (
    overrides === undefined &&
    !f.tlsServerName &&
    !f.insecureSkipTlsVerify &&
    !f.as &&
    !f.asGroup?.length &&
    !f.asUid
  )
    return kc;
  const ctx: Context = kc.getContextObject(kc.currentContext) ?? { name: 'cli', cluster: 'cli', user: 'cli' };
  const clusterName = f.cluster ?? ctx.cluster;
  const userName = f.user ?? ctx.user;
  if (f.cluster && !kc.getCluster(f.cluster))
    throw new Error(`cluster "${f.cluster}" does not exist in the kubeconfig`);
  if (f.user && !kc.getUser(f.user)) throw new Error(`user "${f.user}" does not exist in the kubeconfig`);
  const cluster: Cluster = {
    ...(kc.getCluster(clusterName) ?? { name: clusterName, server: '', skipTLSVerify: false }),
    ...(f.server ? { server: f.server } : {}),
    ...(f.certificateAuthority ? { caFile: f.certificateAuthority, caData: undefined } : {}),
    ...(f.tlsServerName ? { tlsServerName: f.tlsServerName } : {}),
    ...(f.insecureSkipTlsVerify ? { skipTLSVerify: true } : {}),
  };
  const user: User = {
    ...(kc.getUser(userName) ?? { name: userName }),
    ...(f.token ? { token: f.token, tokenFile: undefined } : {}),
    ...(f.clientCertificate ? { certFile: f.clientCertificate, certData: undefined } : {}),
    ...(f.clientKey ? { keyFile: f.clientKey, keyData: undefined } : {}),
    ...(f.as ? { impersonateUser: f.as } : {}),
    ...(f.asGroup?.length ? { impersonateGroups: f.asGroup } : {}),
    ...(f.asUid ? { impersonateUid: f.asUid } : {}),
  };
  if (!cluster.server)
    throw new Error('no API server: the kubeconfig context has no cluster; pass --server or --context');
  const contextName = '__kubectl-ray__';
  kc.loadFromOptions({
    clusters: [...kc.clusters.filter((c) => c.name !== cluster.name), cluster],
    users: [...kc.users.filter((u) => u.name !== user.name), user],
    contexts: [
      ...kc.contexts,
      {
        name: contextName,
        cluster: cluster.name,
        user: user.name,
        ...(ctx.namespace ? { namespace: ctx.namespace } : {}),
      },
    ],
    currentContext: contextName,
  });
  return kc;
}
