// The kubelet's streaming endpoints for pods on the local node, as the API server calls them:
//   /exec/<ns>/<pod>/<container>?command=…&input=1&output=1&error=1&tty=1
//   /attach/<ns>/<pod>/<container>?input=1&output=1&error=1&tty=1
//   /portForward/<ns>/<pod>
// Each is an HTTP upgrade to SPDY/3.1 with Kubernetes' stream protocols (remotecommand
// v4/v3/v2.channel.k8s.io, portforward.k8s.io). kubectl's WebSocket v5 reaches us the same way: the
// API server translates it to SPDY (TranslateStreamCloseWebsocketRequests, PortForwardWebsockets).
//
// exec runs the command as its own process group with the container's environment and working
// directory (its pod IP, Service names, Ray venv: what the container process got), a TTY through
// rig/node/py/ptyexec.py; the exit code goes back on the error stream as kubectl expects it.
// port-forward dials the pod's loopback address. attach streams the container's output from now on
// and, when the container was started with `stdin: true`, feeds its stdin.
import { spawn, type ChildProcess } from 'node:child_process';
import type { IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { signalGroup } from './procs.ts';
import { pipeToStream, SpdySession, type SpdyStream } from './spdySession.ts';
import type { ExecSpec } from './pod.ts';

/** What the node knows about a container that is running now. */
export interface RunningContainer extends ExecSpec {
  /** The container's current log (attach follows it). */
  logPath: string;
  /** The container's stdin when its spec asks for `stdin: true`. */
  stdin?: NodeJS.WritableStream;
  stdinOnce?: boolean;
  /** Counts an exec'd process group as the container's (CPU, memory; killed with it). Returns the release. */
  adopt?: (pgid: number) => () => void;
}

export interface StreamTarget {
  podIP: string;
  uid: string;
  /** undefined: the container is not running (or does not exist) on this node. */
  container(name: string): RunningContainer | undefined;
}

export interface StreamingContext {
  /** Python used for TTYs (ptyexec.py). */
  python: string;
  /** Registers exec'd process groups with the node's reaper. */
  trackGroup: (pgid: number, alive: boolean) => void;
}

const remoteCommandProtocols = ['v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io'];
const portForwardProtocols = ['portforward.k8s.io'];
const streamCreationTimeoutMs = 30_000;

/** Writes a plain HTTP error on a socket that was about to be upgraded. */
function httpError(socket: Duplex, code: number, reason: string, body: string, extra: string[] = []): void {
  const b = Buffer.from(body.endsWith('\n') ? body : body + '\n');
  socket.end(
    [
      `HTTP/1.1 ${code} ${reason}`,
      'Content-Type: text/plain; charset=utf-8',
      `Content-Length: ${b.length}`,
      'Connection: close',
      ...extra,
      '',
      '',
    ].join('\r\n') + b.toString(),
  );
}

/** Protocol negotiation (apimachinery httpstream.Handshake): the client's first protocol we speak. */
function handshake(req: IncomingMessage, socket: Duplex, supported: readonly string[]): string | undefined {
  const raw = req.headers['x-stream-protocol-version'];
  const offered = (Array.isArray(raw) ? raw.join(',') : (raw ?? ''))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const chosen = offered.find((p) => supported.includes(p));
  if (!chosen) {
    httpError(
      socket,
      403,
      'Forbidden',
      `unable to upgrade: unable to negotiate protocol: client supports [${offered.join(' ')}], server accepts [${supported.join(' ')}]`,
      supported.map((p) => `X-Accepted-Stream-Protocol-Versions: ${p}`),
    );
    return undefined;
  }
  socket.write(
    [
      'HTTP/1.1 101 Switching Protocols',
      'Connection: Upgrade',
      'Upgrade: SPDY/3.1',
      `X-Stream-Protocol-Version: ${chosen}`,
      '',
      '',
    ].join('\r\n'),
  );
  return chosen;
}

interface CommandOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

function commandOptions(url: URL): CommandOptions | string {
  const flag = (k: string) => url.searchParams.get(k) === '1' || url.searchParams.get(k) === 'true';
  const tty = flag('tty');
  const o = { stdin: flag('input'), stdout: flag('output'), stderr: flag('error') && !tty, tty };
  if (!o.stdin && !o.stdout && !o.stderr) return 'you must specify at least 1 of stdin, stdout, stderr';
  return o;
}

interface CommandStreams {
  session: SpdySession;
  protocol: string;
  error?: SpdyStream;
  stdin?: SpdyStream;
  stdout?: SpdyStream;
  stderr?: SpdyStream;
  resize?: SpdyStream;
}

/** Upgrades and waits for the streams the options call for (kubelet: 30 s, then it gives up). */
function commandStreams(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  o: CommandOptions,
): Promise<CommandStreams | undefined> {
  const protocol = handshake(req, socket, remoteCommandProtocols);
  if (!protocol) return Promise.resolve(undefined);
  const resizing = o.tty && protocol !== 'v2.channel.k8s.io';
  const expected = 1 + Number(o.stdin) + Number(o.stdout) + Number(o.stderr) + Number(resizing);
  return new Promise((resolve) => {
    const got: Omit<CommandStreams, 'session' | 'protocol'> = {};
    let count = 0;
    const timer = setTimeout(() => {
      session.close();
      resolve(undefined);
    }, streamCreationTimeoutMs);
    const session = new SpdySession(
      socket,
      (s) => {
        const type = s.header('streamType');
        if (
          type !== 'error' &&
          type !== 'stdin' &&
          type !== 'stdout' &&
          type !== 'stderr' &&
          type !== 'resize'
        )
          return false;
        got[type] = s;
        if (++count === expected) {
          clearTimeout(timer);
          // After this SYN_REPLY is queued: the caller writes only once every stream is accepted.
          setImmediate(() => {
            resolve({ session, protocol, ...got });
          });
        }
        return true;
      },
      head,
    );
    void session.closed.then(() => {
      clearTimeout(timer);
      resolve(undefined);
    });
  });
}

/** The status on the error stream: v4 speaks JSON metav1.Status, older versions plain text on failure. */
function writeStatus(st: CommandStreams, code: number | undefined, message?: string): void {
  const e = st.error;
  if (!e) return;
  if (st.protocol === 'v4.channel.k8s.io') {
    const status =
      message !== undefined
        ? {
            status: 'Failure',
            reason: 'InternalError',
            message: `Internal error occurred: ${message}`,
            code: 500,
          }
        : code === 0
          ? { status: 'Success' }
          : {
              status: 'Failure',
              reason: 'NonZeroExitCode',
              message: `command terminated with non-zero exit code: exit status ${code}`,
              details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
            };
    e.write(JSON.stringify(status));
  } else if (message !== undefined || code !== 0) {
    e.write(message ?? `command terminated with non-zero exit code: exit status ${code}`);
  }
  e.end();
}

/** Terminal size messages ({"Width":…,"Height":…} one after another) → one JSON line each. */
function resizeLines(resize: SpdyStream, out: NodeJS.WritableStream): void {
  let buf = '';
  resize.incoming.on('data', (b: Buffer) => {
    buf += b.toString();
    for (;;) {
      const end = buf.indexOf('}');
      if (end < 0) break;
      const msg = buf.slice(0, end + 1);
      buf = buf.slice(end + 1);
      try {
        const { Width, Height } = JSON.parse(msg) as { Width?: number; Height?: number };
        out.write(`${JSON.stringify({ cols: Width ?? 80, rows: Height ?? 24 })}\n`);
      } catch {
        // not a size message: ignore, as the kubelet does
      }
    }
  });
}

export async function serveExec(
  ctx: StreamingContext,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  url: URL,
  target: RunningContainer,
): Promise<void> {
  const command = url.searchParams.getAll('command');
  const o = commandOptions(url);
  if (typeof o === 'string' || command.length === 0) {
    httpError(socket, 400, 'Bad Request', typeof o === 'string' ? o : 'no command given');
    return;
  }
  const st = await commandStreams(req, socket, head, o);
  if (!st) return;
  let child: ChildProcess;
  try {
    const env = o.tty ? { TERM: 'xterm', ...target.env } : target.env;
    const [cmd, args] = o.tty
      ? [ctx.python, [join(import.meta.dirname, 'py', 'ptyexec.py'), ...command]]
      : [command[0]!, command.slice(1)];
    child = spawn(cmd, args, {
      env,
      cwd: target.cwd,
      detached: true,
      // fd 3 carries terminal sizes to ptyexec.py.
      stdio: [o.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe', ...(o.tty ? (['pipe'] as const) : [])],
    });
  } catch (e) {
    writeStatus(st, undefined, `error executing command in container: ${(e as Error).message}`);
    st.session.close();
    return;
  }
  const spawned = new Promise<Error | undefined>((resolve) => {
    child.once('spawn', () => {
      resolve(undefined);
    });
    child.once('error', resolve);
  });
  const exited = new Promise<number>((resolve) => {
    child.once('close', (code, signal) => {
      resolve(code ?? 128 + (signal === 'SIGKILL' ? 9 : signal === 'SIGTERM' ? 15 : 1));
    });
  });
  const startError = await spawned;
  if (startError) {
    const missing = (startError as NodeJS.ErrnoException).code === 'ENOENT';
    writeStatus(
      st,
      undefined,
      missing
        ? `error executing command in container: exec: "${command[0]}": executable file not found in $PATH`
        : `error executing command in container: ${startError.message}`,
    );
    st.stdout?.end();
    st.stderr?.end();
    st.session.close();
    return;
  }
  const pgid = child.pid!;
  ctx.trackGroup(pgid, true);
  const release = target.adopt?.(pgid);
  // The peer went away: nothing will read the output any more.
  void st.session.closed.then(() => {
    signalGroup(pgid, 'SIGKILL');
  });
  if (st.stdin && child.stdin) {
    const stdin = child.stdin;
    stdin.on('error', () => undefined); // the command may exit without reading it
    st.stdin.incoming.pipe(stdin);
  }
  if (st.resize && o.tty) resizeLines(st.resize, child.stdio[3] as NodeJS.WritableStream);
  const copies = [
    st.stdout ? pipeToStream(child.stdout!, st.stdout) : Promise.resolve(),
    st.stderr ? pipeToStream(child.stderr!, st.stderr) : Promise.resolve(),
  ];
  if (!st.stdout) child.stdout!.resume();
  if (!st.stderr) child.stderr!.resume();
  const code = await exited;
  await Promise.all(copies);
  ctx.trackGroup(pgid, false);
  release?.();
  signalGroup(pgid, 'SIGKILL'); // what the command left running in its group goes with it
  writeStatus(st, code);
  st.session.close();
}

export async function serveAttach(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  url: URL,
  target: RunningContainer,
  follow: (path: string, onData: (b: Buffer) => void) => () => void,
): Promise<void> {
  const o = commandOptions(url);
  if (typeof o === 'string') {
    httpError(socket, 400, 'Bad Request', o);
    return;
  }
  const st = await commandStreams(req, socket, head, o);
  if (!st) return;
  const out = st.stdout ?? st.stderr;
  const stop = out
    ? follow(target.logPath, (b) => {
        out.write(b);
      })
    : () => undefined;
  if (st.stdin && target.stdin) {
    const stdin = target.stdin;
    st.stdin.incoming.on('data', (b: Buffer) => stdin.write(b));
    st.stdin.incoming.on('end', () => {
      if (target.stdinOnce) stdin.end();
    });
  }
  await st.session.closed;
  stop();
}

export function servePortForward(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  pod: { namespace: string; name: string; target: StreamTarget },
): void {
  if (!handshake(req, socket, portForwardProtocols)) return;
  const pairs = new Map<string, { error?: SpdyStream; data?: SpdyStream }>();
  const conns = new Set<ReturnType<typeof connect>>();
  const forward = (port: number, error: SpdyStream, data: SpdyStream) => {
    const conn = connect({ host: pod.target.podIP, port });
    conns.add(conn);
    let failed = false;
    conn.once('connect', () => {
      data.incoming.pipe(conn);
      void pipeToStream(conn, data);
    });
    conn.on('error', (e) => {
      if (failed) return;
      failed = true;
      error.write(
        `error forwarding port ${port} to pod ${pod.namespace}/${pod.name}, uid ${pod.target.uid}: ` +
          `dial tcp ${pod.target.podIP}:${port}: ${e.message}`,
      );
      error.end();
      data.reset();
    });
    conn.once('close', () => {
      conns.delete(conn);
      if (!failed) error.end();
    });
  };
  const session = new SpdySession(
    socket,
    (s) => {
      const port = Number(s.header('port'));
      const type = s.header('streamType');
      if (!Number.isInteger(port) || port < 1 || port > 65535) return false;
      if (type !== 'error' && type !== 'data') return false;
      // Without a requestID the pair is told apart by stream ids (error n, data n+2).
      const id = s.header('requestID') ?? String(type === 'error' ? s.id : s.id - 2);
      const p = pairs.get(id) ?? {};
      if (p[type]) return false;
      p[type] = s;
      pairs.set(id, p);
      if (p.error && p.data) {
        pairs.delete(id);
        const { error, data } = p;
        setImmediate(() => {
          forward(port, error, data);
        });
      }
      return true;
    },
    head,
  );
  void session.closed.then(() => {
    for (const c of conns) c.destroy();
  });
}
