// A unary gRPC call over node:http2 — enough to ask GCS for the autoscaler state.
//
// gRPC over HTTP/2 is: POST /<package.Service>/<Method>, content-type application/grpc, the body
// framed as [1 byte compressed flag][4 byte big-endian length][message], status in the trailers
// (grpc-status, grpc-message) or, for a "trailers-only" error, in the response headers. One HTTP/2
// session per call keeps it stateless; GCS calls happen once per autoscaler sync, so the connection
// setup cost does not matter.
import { connect, constants, type ClientHttp2Session, type IncomingHttpHeaders } from 'node:http2';

/** gRPC status codes that matter to callers (https://grpc.github.io/grpc/core/md_doc_statuscodes.html). */
export const GrpcStatus = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  UNIMPLEMENTED: 12,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

export class GrpcError extends Error {
  override name = 'GrpcError';
  readonly code: number;
  readonly target: string;
  constructor(target: string, code: number, message: string, options?: ErrorOptions) {
    super(`gRPC ${target}: status ${code}: ${message}`, options);
    this.code = code;
    this.target = target;
  }
}

export interface UnaryCallOptions {
  /** host:port of the gRPC server, e.g. "127.0.0.1:6379". */
  address: string;
  /** "/package.Service/Method". */
  path: string;
  request: Uint8Array;
  timeoutMs?: number;
  /** Ray token auth: sent as `authorization: Bearer <token>` (GCS does not accept x-ray-authorization). */
  token?: string;
}

function frame(message: Uint8Array): Buffer {
  const out = Buffer.alloc(5 + message.length);
  out.writeUInt8(0, 0);
  out.writeUInt32BE(message.length, 1);
  out.set(message, 5);
  return out;
}

function unframe(body: Buffer, target: string): Uint8Array {
  if (body.length < 5)
    throw new GrpcError(target, GrpcStatus.UNKNOWN, `response body of ${body.length} bytes`);
  if (body.readUInt8(0) !== 0) throw new GrpcError(target, GrpcStatus.UNIMPLEMENTED, 'compressed response');
  const len = body.readUInt32BE(1);
  if (body.length < 5 + len) throw new GrpcError(target, GrpcStatus.UNKNOWN, 'truncated response message');
  return new Uint8Array(body.subarray(5, 5 + len));
}

function statusOf(h: IncomingHttpHeaders): { code: number; message: string } | undefined {
  const s = h['grpc-status'];
  if (s === undefined) return undefined;
  const raw = h['grpc-message'];
  const msg = typeof raw === 'string' ? decodeURIComponent(raw) : '';
  return { code: Number(s), message: msg };
}

/** Performs one unary call; resolves with the raw response message bytes. */
export function unaryCall(opts: UnaryCallOptions): Promise<Uint8Array> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const target = `${opts.address}${opts.path}`;
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (err: Error | undefined, value?: Uint8Array): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      session.close();
      session.destroy();
      if (err) reject(err);
      else resolve(value!);
    };
    const timer = setTimeout(() => {
      finish(new GrpcError(target, GrpcStatus.DEADLINE_EXCEEDED, `no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const session: ClientHttp2Session = connect(`http://${opts.address}`);
    session.on('error', (err: Error) => {
      finish(new GrpcError(target, GrpcStatus.UNAVAILABLE, err.message, { cause: err }));
    });
    const headers: Record<string, string> = {
      [constants.HTTP2_HEADER_METHOD]: 'POST',
      [constants.HTTP2_HEADER_PATH]: opts.path,
      'content-type': 'application/grpc',
      te: 'trailers',
      'grpc-timeout': `${timeoutMs}m`,
    };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    const stream = session.request(headers, { endStream: false });
    const chunks: Buffer[] = [];
    let responseHeaders: IncomingHttpHeaders = {};
    stream.on('response', (h) => {
      responseHeaders = h;
    });
    stream.on('data', (c: Buffer) => chunks.push(c));
    let trailers: IncomingHttpHeaders | undefined;
    stream.on('trailers', (t: IncomingHttpHeaders) => {
      trailers = t;
    });
    stream.on('error', (err: Error) => {
      finish(new GrpcError(target, GrpcStatus.UNAVAILABLE, err.message, { cause: err }));
    });
    stream.on('close', () => {
      const httpStatus = Number(responseHeaders[':status'] ?? 0);
      const st = (trailers && statusOf(trailers)) ?? statusOf(responseHeaders);
      if (httpStatus !== 200 && !st) {
        finish(new GrpcError(target, GrpcStatus.UNKNOWN, `HTTP status ${httpStatus || 'none'}`));
        return;
      }
      if (!st) {
        finish(new GrpcError(target, GrpcStatus.UNKNOWN, 'stream closed without grpc-status'));
        return;
      }
      if (st.code !== GrpcStatus.OK) {
        finish(new GrpcError(target, st.code, st.message));
        return;
      }
      try {
        finish(undefined, unframe(Buffer.concat(chunks), target));
      } catch (err) {
        finish(err as Error);
      }
    });
    stream.end(frame(opts.request));
  });
}
