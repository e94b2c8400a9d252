// A remote control plane on loopback: a TCP proxy in front of the API server that holds every chunk
// for `delayMs` in each direction (TLS passes through untouched: the API server's certificate names
// 127.0.0.1, so clients keep verifying it). A request then costs at least one round trip of
// 2 × delayMs, as against a managed control plane 10–25 ms away. Order is kept per direction:
// every chunk waits the same delay and Node runs equal timers in the order they were set.
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

export interface LatencyProxy {
  /** https://127.0.0.1:<port>, to put in a kubeconfig in place of the API server's address. */
  readonly url: string;
  readonly port: number;
  /** Bytes carried each way so far. */
  bytes(): { up: number; down: number };
  /** TCP connections accepted so far (each one a TLS handshake with the API server). */
  connections(): number;
  close(): Promise<void>;
}

function pipeDelayed(src: Socket, dst: Socket, delayMs: number, count: (n: number) => void): void {
  src.on('data', (chunk: Buffer) => {
    count(chunk.length);
    setTimeout(() => {
      if (!dst.destroyed) dst.write(chunk);
    }, delayMs);
  });
  // A half-close travels with the same delay, after the data sent before it.
  src.on('end', () => setTimeout(() => dst.end(), delayMs));
}

export async function startLatencyProxy(upstreamPort: number, delayMs: number): Promise<LatencyProxy> {
  const sockets = new Set<Socket>();
  let up = 0;
  let down = 0;
  let accepted = 0;
  // Half-open on both sides: a FIN from one side is passed on (delayed), not answered at once.
  const server: Server = createServer({ allowHalfOpen: true }, (client) => {
    accepted++;
    const upstream = connect({ host: '127.0.0.1', port: upstreamPort, allowHalfOpen: true });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.setNoDelay(true);
      s.on('close', () => sockets.delete(s));
      // Either side failing ends both: the client sees a reset, as it would from a real network.
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('close', () => setTimeout(() => upstream.destroy(), delayMs));
    upstream.on('close', () => setTimeout(() => client.destroy(), delayMs));
    pipeDelayed(client, upstream, delayMs, (n) => (up += n));
    pipeDelayed(upstream, client, delayMs, (n) => (down += n));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    bytes: () => ({ up, down }),
    connections: () => accepted,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
}
