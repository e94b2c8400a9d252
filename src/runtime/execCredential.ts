// Exec credential plugins (`users[].user.exec` in a kubeconfig), as client-go runs them: the command
// gets the caller's environment plus `env`, and KUBERNETES_EXEC_INFO describing the request; it
// prints an ExecCredential whose token or client certificate is cached until expirationTimestamp.
import { spawn } from 'node:child_process';

export const execApiVersions = ['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1'];

export interface ExecConfig {
  apiVersion: string;
  command: string;
  args?: string[];
  env?: { name: string; value: string }[];
  installHint?: string;
  provideClusterInfo?: boolean;
  /** Never | IfAvailable | Always. Required by v1; an operator has no terminal, so Always fails. */
  interactiveMode?: string;
}

/** The cluster fields client-go passes in spec.cluster when provideClusterInfo is set. */
export interface ExecClusterInfo {
  server: string;
  'tls-server-name'?: string;
  'insecure-skip-tls-verify'?: boolean;
  'certificate-authority-data'?: string;
  'proxy-url'?: string;
}

export interface ExecCredentials {
  token?: string;
  /** PEM (ExecCredential carries PEM, unlike kubeconfig's base64 *-data fields). */
  cert?: string;
  key?: string;
  /** Epoch ms; undefined = valid until the process ends (client-go re-execs only after a 401). */
  expiresAt?: number;
}

/** Validates an exec stanza at load time so a bad kubeconfig fails before the first request. */
export function checkExecConfig(exec: ExecConfig, where: string): void {
  if (!exec.command) throw new Error(`${where}.exec.command is empty: set the plugin executable`);
  if (!execApiVersions.includes(exec.apiVersion))
    throw new Error(
      `${where}.exec.apiVersion is ${JSON.stringify(exec.apiVersion)}: use one of ${execApiVersions.join(', ')}`,
    );
  if (exec.apiVersion.endsWith('/v1') && !exec.interactiveMode)
    throw new Error(
      `${where}.exec.interactiveMode must be set for ${exec.apiVersion} (client-go requires it): use Never or IfAvailable`,
    );
  if (exec.interactiveMode === 'Always')
    throw new Error(
      `${where}.exec.interactiveMode is Always but Kuray runs without a terminal: use Never or IfAvailable`,
    );
}

/** Runs one plugin and caches its credentials; concurrent callers share one run. */
export class ExecCredentialSource {
  readonly #exec: ExecConfig;
  readonly #cluster: ExecClusterInfo | undefined;
  readonly #now: () => number;
  #cached: ExecCredentials | undefined;
  #running: Promise<ExecCredentials> | undefined;

  constructor(exec: ExecConfig, cluster?: ExecClusterInfo, now: () => number = Date.now) {
    this.#exec = exec;
    this.#cluster = exec.provideClusterInfo ? cluster : undefined;
    this.#now = now;
  }

  async get(): Promise<ExecCredentials> {
    const c = this.#cached;
    // client-go's rule: expired once now is after expirationTimestamp (no skew).
    if (c && (c.expiresAt === undefined || this.#now() <= c.expiresAt)) return c;
    this.#running ??= this.#run().finally(() => (this.#running = undefined));
    const fresh = await this.#running;
    this.#cached = fresh;
    return fresh;
  }

  /** Drops the cached credentials (e.g. after the server answered 401). */
  invalidate(): void {
    this.#cached = undefined;
  }

  async #run(): Promise<ExecCredentials> {
    const e = this.#exec;
    const info = {
      apiVersion: e.apiVersion,
      kind: 'ExecCredential',
      spec: { interactive: false, ...(this.#cluster ? { cluster: this.#cluster } : {}) },
    };
    const env: NodeJS.ProcessEnv = { ...process.env, KUBERNETES_EXEC_INFO: JSON.stringify(info) };
    for (const { name, value } of e.env ?? []) env[name] = value;
    const what = `exec plugin ${JSON.stringify([e.command, ...(e.args ?? [])].join(' '))}`;
    const { code, stdout, stderr, spawnError } = await runPlugin(e.command, e.args ?? [], env);
    if (spawnError) {
      const hint = e.installHint ? `\n${e.installHint.trim()}` : '';
      throw new Error(`${what}: could not run: ${spawnError.message}${hint}`);
    }
    if (code !== 0)
      throw new Error(`${what} exited with ${code}${stderr.trim() ? `: ${lastLines(stderr)}` : ''}`);
    let cred: null | {
      apiVersion?: string;
      kind?: string;
      status?: {
        token?: string;
        clientCertificateData?: string;
        clientKeyData?: string;
        expirationTimestamp?: string;
      };
    };
    try {
      cred = JSON.parse(stdout) as typeof cred | null;
    } catch (err) {
      throw new Error(`${what} printed no ExecCredential JSON: ${(err as Error).message}`, {
        cause: err,
      });
    }
    if (cred?.kind !== 'ExecCredential')
      throw new Error(`${what} printed kind ${JSON.stringify(cred?.kind)}, want ExecCredential`);
    if (cred.apiVersion !== e.apiVersion)
      throw new Error(
        `${what} returned apiVersion ${JSON.stringify(cred.apiVersion)}, but the kubeconfig asks for ${e.apiVersion}`,
      );
    const s = cred.status ?? {};
    if (!s.clientCertificateData !== !s.clientKeyData)
      throw new Error(`${what} returned only one of clientCertificateData and clientKeyData`);
    if (!s.token && !s.clientCertificateData)
      throw new Error(`${what} returned neither status.token nor a client certificate`);
    let expiresAt: number | undefined;
    if (s.expirationTimestamp) {
      expiresAt = Date.parse(s.expirationTimestamp);
      if (Number.isNaN(expiresAt))
        throw new Error(
          `${what} returned a bad expirationTimestamp ${JSON.stringify(s.expirationTimestamp)}`,
        );
    }
    return {
      ...(s.token ? { token: s.token } : {}),
      ...(s.clientCertificateData ? { cert: s.clientCertificateData, key: s.clientKeyData } : {}),
      ...(expiresAt !== undefined ? { expiresAt } : {}),
    };
  }
}

function lastLines(text: string, n = 5): string {
  return text.trim().split('\n').slice(-n).join('\n');
}

function runPlugin(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string; spawnError?: Error }> {
  return new Promise((resolve) => {
    // stdin is closed: client-go gives the plugin stdin only in interactive mode.
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      resolve({ code: null, stdout: '', stderr: '', spawnError: e });
    });
    child.on('close', (code) => {
      resolve({
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}
