// Loopback tests of the gRPC framing and status handling (the real GCS is exercised in e2e).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type ServerHttp2Session } from 'node:http2';
import { freePort } from '../testing/localRay.ts';
import { GrpcChannel, GrpcError, GrpcStatus, unaryCall } from './grpc.ts';

const seen: { path: string; auth: string | undefined; body: Buffer }[] = [];
const server = createServer();
const sessions: ServerHttp2Session[] = [];
server.on('session', (s) => sessions.push(s));
server.on('stream', (stream, headers) => {
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => {
    const path = String(headers[':path']);
    seen.push({ path, auth: headers.authorization, body: Buffer.concat(chunks) });
    if (path === '/svc/Echo') {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => {
        stream.sendTrailers({ 'grpc-status': '0' });
      });
      stream.end(Buffer.concat(chunks)); // echo the framed request back
    } else if (path === '/svc/Denied') {
      // trailers-only response, as servers send for errors
      stream.respond(
        {
          ':status': 200,
          'content-type': 'application/grpc',
          'grpc-status': '16',
          'grpc-message': 'InvalidAuthToken%3A%20missing',
        },
        { endStream: true },
      );
    }
    // '/svc/Hang': never answers
  });
});
const port = await freePort();
await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
after(() => {
  server.close();
});
const address = `127.0.0.1:${port}`;

test('frames the request, sends the bearer token, unframes the answer', async () => {
  const reply = await unaryCall({ address, path: '/svc/Echo', request: Uint8Array.from([8, 1]), token: 't' });
  assert.deepEqual([...reply], [8, 1]);
  const r = seen.at(-1)!;
  assert.equal(r.auth, 'Bearer t');
  assert.deepEqual([...r.body], [0, 0, 0, 0, 2, 8, 1]);
});

test('grpc-status errors, deadlines and refused connections are GrpcErrors with the right code', async () => {
  await assert.rejects(
    unaryCall({ address, path: '/svc/Denied', request: new Uint8Array() }),
    (e: unknown) => {
      return (
        e instanceof GrpcError &&
        e.code === GrpcStatus.UNAUTHENTICATED &&
        /InvalidAuthToken: missing/.test(e.message)
      );
    },
  );
  await assert.rejects(
    unaryCall({ address, path: '/svc/Hang', request: new Uint8Array(), timeoutMs: 200 }),
    (e: unknown) => e instanceof GrpcError && e.code === GrpcStatus.DEADLINE_EXCEEDED,
  );
  const closed = await freePort();
  await assert.rejects(
    unaryCall({ address: `127.0.0.1:${closed}`, path: '/svc/Echo', request: new Uint8Array() }),
    (e: unknown) => e instanceof GrpcError && e.code === GrpcStatus.UNAVAILABLE,
  );
});

test('a channel carries every call over one connection and reconnects after it is lost', async () => {
  const ch = new GrpcChannel(address);
  const before = sessions.length;
  const replies = await Promise.all(
    [1, 2, 3].map((i) => ch.unary('/svc/Echo', Uint8Array.from([8, i]), { token: 't' })),
  );
  assert.deepEqual(
    replies.map((r) => [...r]),
    [
      [8, 1],
      [8, 2],
      [8, 3],
    ],
  );
  await ch.unary('/svc/Echo', Uint8Array.from([8, 4]));
  assert.equal(sessions.length - before, 1, 'one connection for four calls');

  // The server goes away (GOAWAY + close): the next call dials again.
  await new Promise<void>((r) => {
    sessions.at(-1)!.close(r);
  });
  assert.deepEqual([...(await ch.unary('/svc/Echo', Uint8Array.from([8, 5])))], [8, 5]);
  assert.equal(sessions.length - before, 2);

  // A deadline drops the connection too (a peer that stopped answering may be gone without a FIN).
  await assert.rejects(
    ch.unary('/svc/Hang', new Uint8Array(), { timeoutMs: 100 }),
    (e: unknown) => e instanceof GrpcError && e.code === GrpcStatus.DEADLINE_EXCEEDED,
  );
  await ch.unary('/svc/Echo', Uint8Array.from([8, 6]));
  assert.equal(sessions.length - before, 3);

  ch.close();
  await assert.rejects(
    ch.unary('/svc/Echo', new Uint8Array()),
    (e: unknown) => e instanceof GrpcError && e.code === GrpcStatus.CANCELLED,
  );
});
