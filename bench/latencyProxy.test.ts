import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type AddressInfo } from 'node:net';
import { once } from 'node:events';
import { startLatencyProxy } from './latencyProxy.ts';

// Checks what the proxy carries (bytes in order, both ways, half-close), not how long it takes:
// timing belongs to the benchmark.
test('the proxy carries bytes both ways in order and passes the half-close on', async () => {
  const echo = createServer((s) => {
    s.on('data', (d) => s.write(d));
    s.on('end', () => s.end('bye'));
  });
  echo.listen(0, '127.0.0.1');
  await once(echo, 'listening');
  const proxy = await startLatencyProxy((echo.address() as AddressInfo).port, 5);
  try {
    const c = connect({ host: '127.0.0.1', port: proxy.port });
    await once(c, 'connect');
    let got = '';
    c.on('data', (d: Buffer) => (got += d.toString()));
    for (let i = 0; i < 50; i++) c.write(`${i},`);
    c.end();
    await once(c, 'close');
    assert.equal(got, Array.from({ length: 50 }, (_, i) => `${i},`).join('') + 'bye');
    assert.equal(proxy.bytes().up, got.length - 3);
    assert.equal(proxy.connections(), 1);
  } finally {
    await proxy.close();
    echo.close();
  }
});
