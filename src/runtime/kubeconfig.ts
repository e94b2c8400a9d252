// Kubeconfig loading and request authentication, as client-go/kubectl do it: the default chain
// ($KUBECONFIG merged, ~/.kube/config, in-cluster), client certificates, bearer tokens (token files
// re-read because bound service-account tokens rotate), basic auth, impersonation and exec credential
// plugins. Replaces @kubernetes/client-node's KubeConfig at runtime: importing client-node alone
// costs ~80 MiB of RSS, and the operator used only this part of it.
import type { OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import { existsSync, readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { homedir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { ExecCredentialSource } from './execCredential.ts';
import {
  authProviderError,
  checkConfig,
  mergeKubeConfigs,
  parseKubeConfig,
  readKubeConfigFile,
  type Cluster,
  type ConfigData,
  type Context,
  type User,
} from './kubeconfigFile.ts';

export type { Cluster, Context, User } from './kubeconfigFile.ts';
export type { ExecConfig } from './execCredential.ts';

export const serviceAccountDir = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface KubeConfigOptions {
  /** How often a token file is re-read (client-go: every minute). Default 60 s. */
  tokenRefreshMs?: number;
  /** Clock (epoch ms) for token-file refresh and exec credential expiry. */
  now?: () => number;
}

export interface LoadDefaultOptions {
  env?: NodeJS.ProcessEnv;
  /** Where ~/.kube/config lives; default os.homedir(). */
  homeDir?: string;
  serviceAccountDir?: string;
}

export interface LoadClusterOptions {
  env?: NodeJS.ProcessEnv;
  serviceAccountDir?: string;
}

/** Same shape as client-node's loadFromOptions argument. */
export interface KubeConfigData {
  clusters: Cluster[];
  users: User[];
  contexts: Context[];
  currentContext: string;
}

interface CachedToken {
  token: string;
  readAt: number;
}

export class KubeConfig {
  clusters: Cluster[] = [];
  users: User[] = [];
  contexts: Context[] = [];
  currentContext = '';
  readonly #tokenRefreshMs: number;
  readonly #now: () => number;
  /** Where the loaded config came from (error messages). */
  #source = '<empty>';
  #sources = new Map<string, string>();
  // Per load: certificates are decoded (or their files read) once, token files re-read on an
  // interval, exec plugins run on expiry.
  #material = new Map<string, Buffer>();
  #tokens = new Map<string, CachedToken>();
  #exec = new Map<string, ExecCredentialSource>();
  #proxyAgents = new Map<string, https.Agent>();

  constructor(opts: KubeConfigOptions = {}) {
    this.#tokenRefreshMs = opts.tokenRefreshMs ?? 60_000;
    this.#now = opts.now ?? Date.now;
  }

  loadFromFile(path: string): void {
    this.#set(readKubeConfigFile(path), resolve(path));
  }

  loadFromString(text: string, source = '<string>'): void {
    this.#set(parseKubeConfig(text, source), source);
  }

  loadFromOptions(o: KubeConfigData): void {
    this.#set({ ...o, sources: new Map() }, '<options>');
  }

  /** $KUBECONFIG (merged, missing files skipped), else ~/.kube/config, else in-cluster. */
  loadFromDefault(opts: LoadDefaultOptions = {}): void {
    const env = opts.env ?? process.env;
    if (env.KUBECONFIG) {
      const paths = [...new Set(env.KUBECONFIG.split(delimiter).filter(Boolean))];
      const present = paths.filter((p) => existsSync(p));
      if (!present.length)
        throw new Error(
          `$KUBECONFIG=${env.KUBECONFIG}: none of these files exists: fix KUBECONFIG or unset it to use ~/.kube/config`,
        );
      const source = present.length === 1 ? present[0]! : `$KUBECONFIG (${present.join(delimiter)})`;
      this.#set(mergeKubeConfigs(present.map(readKubeConfigFile)), source);
      return;
    }
    const file = join(opts.homeDir ?? homedir(), '.kube', 'config');
    if (existsSync(file)) {
      this.loadFromFile(file);
      return;
    }
    if (env.KUBERNETES_SERVICE_HOST) {
      this.loadFromCluster(opts);
      return;
    }
    throw new Error(
      `no kubeconfig: $KUBECONFIG is unset, ${file} does not exist, and this is not a pod ` +
        `(KUBERNETES_SERVICE_HOST is unset): set KUBECONFIG or pass --kubeconfig`,
    );
  }

  /** In-cluster config from the pod's environment and its mounted service-account token. */
  loadFromCluster(opts: LoadClusterOptions = {}): void {
    const env = opts.env ?? process.env;
    const dir = opts.serviceAccountDir ?? serviceAccountDir;
    const host = env.KUBERNETES_SERVICE_HOST;
    const port = env.KUBERNETES_SERVICE_PORT;
    if (!host || !port)
      throw new Error(
        'in-cluster config: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set (they are in every pod); outside a pod use a kubeconfig',
      );
    const tokenFile = join(dir, 'token');
    if (!existsSync(tokenFile))
      throw new Error(
        `in-cluster config: ${tokenFile} does not exist: mount a service-account token (automountServiceAccountToken must not be false)`,
      );
    const caFile = join(dir, 'ca.crt');
    const nsFile = join(dir, 'namespace');
    // client-go: POD_NAMESPACE, then the mounted namespace file, then "default".
    const namespace =
      env.POD_NAMESPACE || (existsSync(nsFile) ? readFileSync(nsFile, 'utf8').trim() : '') || 'default';
    const name = 'in-cluster';
    this.#set(
      {
        clusters: [
          {
            name,
            server: `https://${isIPv6(host) ? `[${host}]` : host}:${port}`,
            ...(existsSync(caFile) ? { caFile } : {}),
            skipTLSVerify: false,
          },
        ],
        users: [{ name, tokenFile }],
        contexts: [{ name, cluster: name, user: name, namespace }],
        currentContext: name,
        sources: new Map(),
      },
      `in-cluster (${dir})`,
    );
  }

  getClusters(): Cluster[] {
    return this.clusters;
  }
  getUsers(): User[] {
    return this.users;
  }
  getContexts(): Context[] {
    return this.contexts;
  }
  getCurrentContext(): string {
    return this.currentContext;
  }
  setCurrentContext(name: string): void {
    checkConfig({ ...this.#data(), currentContext: name }, this.#source);
    this.currentContext = name;
  }
  getContextObject(name: string): Context | null {
    return this.contexts.find((c) => c.name === name) ?? null;
  }
  getCluster(name: string): Cluster | null {
    return this.clusters.find((c) => c.name === name) ?? null;
  }
  getUser(name: string): User | null {
    return this.users.find((u) => u.name === name) ?? null;
  }
  getCurrentCluster(): Cluster | null {
    const ctx = this.getContextObject(this.currentContext);
    return ctx ? this.getCluster(ctx.cluster) : null;
  }
  getCurrentUser(): User | null {
    const ctx = this.getContextObject(this.currentContext);
    return ctx ? this.getUser(ctx.user) : null;
  }
  /** The current context's namespace, "default" when unset (kubectl's rule). */
  getCurrentNamespace(): string {
    return this.getContextObject(this.currentContext)?.namespace || 'default';
  }

  /**
   * Adds TLS options (ca, cert, key, rejectUnauthorized, servername), a proxy agent for proxy-url,
   * and auth headers (Authorization, Impersonate-*) for the current context to `opts`.
   */
  async applyToHTTPSOptions(opts: https.RequestOptions): Promise<void> {
    const cluster = this.getCurrentCluster();
    const user = this.getCurrentUser();
    const headers = (opts.headers ??= {}) as OutgoingHttpHeaders;
    if (cluster) {
      opts.rejectUnauthorized = !cluster.skipTLSVerify;
      if (!cluster.skipTLSVerify) {
        const ca = this.#bytes(
          cluster.caData,
          cluster.caFile,
          `cluster "${cluster.name}" certificate-authority`,
        );
        if (ca) opts.ca = ca;
      }
      if (cluster.tlsServerName) opts.servername = cluster.tlsServerName;
      if (cluster.proxyUrl) opts.agent = this.#proxyAgent(cluster);
    }
    if (!user) return;
    if (user.authProvider)
      throw new Error(authProviderError(user, this.#sources.get(`user:${user.name}`) || this.#source));
    const cert = this.#bytes(user.certData, user.certFile, `user "${user.name}" client-certificate`);
    const key = this.#bytes(user.keyData, user.keyFile, `user "${user.name}" client-key`);
    if (cert) opts.cert = cert;
    if (key) opts.key = key;
    if (user.impersonateUser) headers['Impersonate-User'] = user.impersonateUser;
    if (user.impersonateUid) headers['Impersonate-Uid'] = user.impersonateUid;
    if (user.impersonateGroups?.length) headers['Impersonate-Group'] = [...user.impersonateGroups];
    const token = user.tokenFile ? this.#fileToken(user, user.tokenFile) : user.token;
    if (token) headers.Authorization = `Bearer ${token}`;
    else if (user.username)
      headers.Authorization = `Basic ${Buffer.from(`${user.username}:${user.password ?? ''}`).toString('base64')}`;
    if (user.exec) {
      const creds = await this.#execSource(user, cluster).get();
      // A static token in the kubeconfig wins, as in client-go's exec round tripper.
      if (creds.token && !headers.Authorization) headers.Authorization = `Bearer ${creds.token}`;
      if (creds.cert && creds.key) {
        opts.cert = Buffer.from(creds.cert);
        opts.key = Buffer.from(creds.key);
      }
    }
  }

  /** Forgets cached exec credentials so the next request runs the plugin again (after a 401). */
  invalidateCredentials(): void {
    for (const s of this.#exec.values()) s.invalidate();
  }

  #data(): ConfigData {
    const { clusters, users, contexts, currentContext } = this;
    return { clusters, users, contexts, currentContext, sources: this.#sources };
  }

  /** Validates first, so a failed load leaves the previous config in place. */
  #set(d: ConfigData, source: string): void {
    checkConfig(d, source);
    this.clusters = d.clusters;
    this.users = d.users;
    this.contexts = d.contexts;
    this.currentContext = d.currentContext;
    this.#source = source;
    this.#sources = d.sources;
    for (const a of this.#proxyAgents.values()) a.destroy();
    this.#material = new Map();
    this.#tokens = new Map();
    this.#exec = new Map();
    this.#proxyAgents = new Map();
  }

  #bytes(data: string | undefined, file: string | undefined, what: string): Buffer | undefined {
    // Called for every request: decode the *-data (or read the file) once per load.
    const key = data ?? file;
    if (!key) return undefined;
    let b = this.#material.get(key);
    if (!b) {
      if (data) b = Buffer.from(data, 'base64');
      else {
        try {
          b = readFileSync(file!);
        } catch (err) {
          throw new Error(`kubeconfig ${this.#source}: ${what} ${file!}: ${(err as Error).message}`, {
            cause: err,
          });
        }
      }
      this.#material.set(key, b);
    }
    return b;
  }

  /** client-go's cached file token source: re-read after the interval; a failed read keeps the last token. */
  #fileToken(user: User, file: string): string | undefined {
    const now = this.#now();
    const c = this.#tokens.get(file);
    if (c && now - c.readAt < this.#tokenRefreshMs) return c.token;
    let err: unknown;
    try {
      const token = readFileSync(file, 'utf8').trim();
      if (token) {
        this.#tokens.set(file, { token, readAt: now });
        return token;
      }
      err = new Error('the file is empty');
    } catch (e) {
      err = e;
    }
    if (c) return c.token;
    if (user.token) return user.token;
    throw new Error(
      `kubeconfig ${this.#source}: users[${user.name}].user.tokenFile ${file}: ${(err as Error).message}`,
      { cause: err },
    );
  }

  #execSource(user: User, cluster: Cluster | null): ExecCredentialSource {
    const key = `${user.name}\0${cluster?.name ?? ''}`; // spec.cluster depends on the cluster too
    let s = this.#exec.get(key);
    if (!s) {
      const ca =
        cluster && !cluster.skipTLSVerify ? this.#bytes(cluster.caData, cluster.caFile, 'ca') : undefined;
      s = new ExecCredentialSource(
        user.exec!,
        cluster
          ? {
              server: cluster.server,
              ...(cluster.tlsServerName ? { 'tls-server-name': cluster.tlsServerName } : {}),
              ...(cluster.skipTLSVerify ? { 'insecure-skip-tls-verify': true } : {}),
              ...(ca ? { 'certificate-authority-data': ca.toString('base64') } : {}),
              ...(cluster.proxyUrl ? { 'proxy-url': cluster.proxyUrl } : {}),
            }
          : undefined,
        this.#now,
      );
      this.#exec.set(key, s);
    }
    return s;
  }

  /** Node's built-in proxy support (24.5+) tunnels with CONNECT through an http(s) proxy. */
  #proxyAgent(cluster: Cluster): https.Agent {
    const url = cluster.proxyUrl!;
    let a = this.#proxyAgents.get(url);
    if (!a) {
      const scheme = url.split(':')[0];
      if (scheme !== 'http' && scheme !== 'https')
        throw new Error(
          `kubeconfig ${this.#sources.get(`cluster:${cluster.name}`) || this.#source}: clusters[${cluster.name}].cluster.proxy-url ${url}: only http:// and https:// proxies are supported`,
        );
      a = new https.Agent({
        keepAlive: true,
        maxSockets: 100,
        proxyEnv: { HTTPS_PROXY: url, HTTP_PROXY: url },
      });
      this.#proxyAgents.set(url, a);
    }
    return a;
  }
}
