// Reading kubeconfig files the way client-go does: YAML (1.1, like kubectl), relative paths resolved
// against the file's own directory, and several files merged where the first file to set a cluster,
// user or context name, or current-context, wins.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseYamlStream } from '../util/yaml.ts';
import { checkExecConfig, type ExecConfig } from './execCredential.ts';

export interface Cluster {
  readonly name: string;
  readonly server: string;
  /** Base64 PEM (certificate-authority-data); wins over caFile. */
  readonly caData?: string;
  readonly caFile?: string;
  readonly skipTLSVerify: boolean;
  readonly tlsServerName?: string;
  readonly proxyUrl?: string;
}

export interface User {
  readonly name: string;
  /** Base64 PEM (client-certificate-data / client-key-data); win over the files. */
  readonly certData?: string;
  readonly certFile?: string;
  readonly keyData?: string;
  readonly keyFile?: string;
  readonly token?: string;
  /** Re-read periodically (bound service-account tokens rotate); wins over token once read. */
  readonly tokenFile?: string;
  readonly username?: string;
  readonly password?: string;
  readonly exec?: ExecConfig;
  /** Legacy gcp/azure/oidc providers: parsed only to reject them with a clear error. */
  readonly authProvider?: { name?: string; config?: Record<string, string> };
  readonly impersonateUser?: string;
  readonly impersonateUid?: string;
  readonly impersonateGroups?: readonly string[];
}

export interface Context {
  readonly name: string;
  readonly cluster: string;
  readonly user: string;
  readonly namespace?: string;
}

/** A parsed (or merged) kubeconfig; `sources` maps `cluster:x`, `user:x`, `context:x`, `current-context` to the file that set it. */
export interface ConfigData {
  clusters: Cluster[];
  users: User[];
  contexts: Context[];
  currentContext: string;
  sources: Map<string, string>;
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fail(source: string, path: string, msg: string): never {
  throw new Error(`kubeconfig ${source}: ${path} ${msg}`);
}

function str(o: Obj, key: string, source: string, path: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') {
    const hint = typeof v === 'boolean' ? ' (quote it: YAML 1.1 reads y, yes, on, no, off as booleans)' : '';
    fail(source, path ? `${path}.${key}` : key, `must be a string, got ${JSON.stringify(v)}${hint}`);
  }
  return v;
}

function bool(o: Obj, key: string, source: string, path: string): boolean {
  const v = o[key];
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean')
    fail(source, `${path}.${key}`, `must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

function list(o: Obj, key: string, source: string): Obj[] {
  const v = o[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fail(source, key, 'must be a list');
  return v.map((e, i) => (isObj(e) ? e : fail(source, `${key}[${i}]`, 'must be a mapping')));
}

function named(e: Obj, kind: string, i: number, source: string): { name: string; body: Obj } {
  const name = e.name;
  if (typeof name !== 'string' || !name) fail(source, `${kind}s[${i}].name`, 'is missing');
  const body = e[kind] ?? {};
  if (!isObj(body)) fail(source, `${kind}s[${i}].${kind}`, 'must be a mapping');
  return { name, body };
}

/** Parses kubeconfig YAML. `baseDir` resolves relative file paths (undefined: left as written). */
export function parseKubeConfig(text: string, source: string, baseDir?: string): ConfigData {
  const docs = parseYamlStream(text, source);
  const root = docs[0]?.value ?? {};
  if (!isObj(root)) fail(source, 'the document', 'must be a mapping (apiVersion: v1, kind: Config)');
  const abs = (p: string | undefined): string | undefined =>
    p && baseDir && !isAbsolute(p) ? resolve(baseDir, p) : p;
  const sources = new Map<string, string>();
  const clusters = list(root, 'clusters', source).map((e, i): Cluster => {
    const { name, body: c } = named(e, 'cluster', i, source);
    const at = `clusters[${name}].cluster`;
    sources.set(`cluster:${name}`, source);
    return {
      name,
      server: str(c, 'server', source, at) ?? '',
      caData: str(c, 'certificate-authority-data', source, at),
      caFile: abs(str(c, 'certificate-authority', source, at)),
      skipTLSVerify: bool(c, 'insecure-skip-tls-verify', source, at),
      tlsServerName: str(c, 'tls-server-name', source, at),
      proxyUrl: str(c, 'proxy-url', source, at),
    };
  });
  const users = list(root, 'users', source).map((e, i): User => {
    const { name, body: u } = named(e, 'user', i, source);
    const at = `users[${name}].user`;
    sources.set(`user:${name}`, source);
    const exec = u.exec;
    if (exec !== undefined && !isObj(exec)) fail(source, `${at}.exec`, 'must be a mapping');
    const ap = u['auth-provider'];
    const groups = u['as-groups'];
    if (groups !== undefined && groups !== null && !Array.isArray(groups))
      fail(source, `${at}.as-groups`, 'must be a list');
    return {
      name,
      certData: str(u, 'client-certificate-data', source, at),
      certFile: abs(str(u, 'client-certificate', source, at)),
      keyData: str(u, 'client-key-data', source, at),
      keyFile: abs(str(u, 'client-key', source, at)),
      token: str(u, 'token', source, at),
      tokenFile: abs(str(u, 'tokenFile', source, at)),
      username: str(u, 'username', source, at),
      password: str(u, 'password', source, at),
      impersonateUser: str(u, 'as', source, at),
      impersonateUid: str(u, 'as-uid', source, at),
      ...(Array.isArray(groups) ? { impersonateGroups: groups.map(String) } : {}),
      ...(isObj(ap) ? { authProvider: ap } : {}),
      ...(isObj(exec) ? { exec: execFrom(exec, baseDir) } : {}),
    };
  });
  const contexts = list(root, 'contexts', source).map((e, i): Context => {
    const { name, body: c } = named(e, 'context', i, source);
    const at = `contexts[${name}].context`;
    sources.set(`context:${name}`, source);
    return {
      name,
      cluster: str(c, 'cluster', source, at) ?? '',
      user: str(c, 'user', source, at) ?? '',
      namespace: str(c, 'namespace', source, at),
    };
  });
  const currentContext = str(root, 'current-context', source, '') ?? '';
  if (currentContext) sources.set('current-context', source);
  return { clusters, users, contexts, currentContext, sources };
}

function execFrom(e: Obj, baseDir: string | undefined): ExecConfig {
  let command = typeof e.command === 'string' ? e.command : '';
  // client-go resolves the command against the kubeconfig's directory only when it is a path
  // (contains a separator); a bare name is looked up on PATH.
  if (baseDir && command.includes('/') && !isAbsolute(command)) command = resolve(baseDir, command);
  const env = Array.isArray(e.env)
    ? e.env.filter(isObj).map((v) => ({
        name: typeof v.name === 'string' ? v.name : '',
        value: typeof v.value === 'string' ? v.value : v.value == null ? '' : JSON.stringify(v.value),
      }))
    : undefined;
  return {
    apiVersion: typeof e.apiVersion === 'string' ? e.apiVersion : '',
    command,
    ...(Array.isArray(e.args) ? { args: e.args.map(String) } : {}),
    ...(env ? { env } : {}),
    ...(typeof e.installHint === 'string' ? { installHint: e.installHint } : {}),
    ...(e.provideClusterInfo === true ? { provideClusterInfo: true } : {}),
    ...(typeof e.interactiveMode === 'string' ? { interactiveMode: e.interactiveMode } : {}),
  };
}

/** Reads and parses one kubeconfig file; relative paths resolve against its directory. */
export function readKubeConfigFile(path: string): ConfigData {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'file does not exist' : e.message;
    throw new Error(`kubeconfig ${file}: ${why}: check the --kubeconfig flag or $KUBECONFIG`, { cause: err });
  }
  return parseKubeConfig(text, file, dirname(file));
}

/** client-go's merge: the first config to set a name (or current-context) wins. */
export function mergeKubeConfigs(configs: readonly ConfigData[]): ConfigData {
  const out: ConfigData = { clusters: [], users: [], contexts: [], currentContext: '', sources: new Map() };
  for (const c of configs) {
    for (const [kind, from, to] of [
      ['cluster', c.clusters, out.clusters],
      ['user', c.users, out.users],
      ['context', c.contexts, out.contexts],
    ] as const) {
      for (const e of from) {
        const key = `${kind}:${e.name}`;
        if (out.sources.has(key)) continue;
        (to as { name: string }[]).push(e);
        out.sources.set(key, c.sources.get(key) ?? '');
      }
    }
    if (!out.currentContext && c.currentContext) {
      out.currentContext = c.currentContext;
      out.sources.set('current-context', c.sources.get('current-context') ?? '');
    }
  }
  return out;
}

/** Fails fast, naming the file and the key to fix, when the current context cannot be used. */
export function checkConfig(d: ConfigData, source: string): void {
  const src = (key: string): string => d.sources.get(key) || source;
  const cur = d.currentContext;
  if (!cur) {
    const names = d.contexts.map((c) => c.name);
    throw new Error(
      `kubeconfig ${source}: current-context is not set: ` +
        (names.length
          ? `run \`kubectl config use-context <name>\` (contexts: ${names.join(', ')})`
          : 'the file has no contexts; add a cluster, a user and a context'),
    );
  }
  const ctx = d.contexts.find((c) => c.name === cur);
  if (!ctx)
    throw new Error(
      `kubeconfig ${src('current-context')}: current-context "${cur}" names no entry in contexts: ` +
        `fix current-context or add the context (contexts: ${d.contexts.map((c) => c.name).join(', ') || 'none'})`,
    );
  const at = src(`context:${ctx.name}`);
  if (!ctx.cluster)
    throw new Error(
      `kubeconfig ${at}: context "${ctx.name}" has no cluster: set contexts[${ctx.name}].context.cluster`,
    );
  const cluster = d.clusters.find((c) => c.name === ctx.cluster);
  if (!cluster)
    throw new Error(
      `kubeconfig ${at}: context "${ctx.name}" refers to unknown cluster "${ctx.cluster}": add it under clusters or fix contexts[${ctx.name}].context.cluster`,
    );
  if (!cluster.server)
    throw new Error(
      `kubeconfig ${src(`cluster:${cluster.name}`)}: cluster "${cluster.name}" has no server: set clusters[${cluster.name}].cluster.server`,
    );
  if (!ctx.user) return; // anonymous, as client-go allows
  const user = d.users.find((u) => u.name === ctx.user);
  if (!user)
    throw new Error(
      `kubeconfig ${at}: context "${ctx.name}" refers to unknown user "${ctx.user}": add it under users or fix contexts[${ctx.name}].context.user`,
    );
  const uat = src(`user:${user.name}`);
  if (user.authProvider) throw new Error(authProviderError(user, uat));
  if ((user.token || user.tokenFile) && user.username)
    throw new Error(
      `kubeconfig ${uat}: users[${user.name}].user sets both a bearer token and username/password: keep one`,
    );
  if (user.exec) checkExecConfig(user.exec, `kubeconfig ${uat}: users[${user.name}].user`);
}

export function authProviderError(user: User, src: string): string {
  return (
    `kubeconfig ${src}: users[${user.name}].user.auth-provider (${user.authProvider?.name ?? 'unnamed'}) is not supported: ` +
    'the legacy gcp/azure/oidc auth providers were removed from client-go; use an exec credential plugin ' +
    '(gke-gcloud-auth-plugin, kubelogin, aws eks get-token) under users[].user.exec'
  );
}
