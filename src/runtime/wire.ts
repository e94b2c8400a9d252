// One answer from the API server, whatever carried it: an HTTP/2 stream (h2pool.ts) or an HTTP/1.1
// response (the fallback). transport.ts reads bodies and watch streams through this shape only.
import type http from 'node:http';

export interface WireResponse extends AsyncIterable<Buffer> {
  readonly status: number;
  header(name: string): string | undefined;
  /** The server ended the body normally (a watch that ends without it lost its connection). */
  readonly complete: boolean;
  /** Stops reading; frees the stream (HTTP/2) or the socket (HTTP/1.1). */
  destroy(): void;
}

export interface WireRequest {
  method: string;
  /** Path and query, e.g. /api/v1/namespaces/a/pods?watch=true. */
  path: string;
  headers: Record<string, string | string[]>;
  body?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** A request lost before the server processed any of it (a reused connection just closed): safe to send again. */
export class RetriableWireError extends Error {
  constructor(cause: Error) {
    super(cause.message, { cause });
  }
}

export function fromIncomingMessage(res: http.IncomingMessage): WireResponse {
  return {
    status: res.statusCode ?? 0,
    header: (name) => {
      const v = res.headers[name.toLowerCase()];
      return Array.isArray(v) ? v[0] : v;
    },
    get complete() {
      return res.complete;
    },
    destroy: () => res.destroy(),
    [Symbol.asyncIterator]: () => res[Symbol.asyncIterator]() as AsyncIterator<Buffer>,
  };
}
