import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { HealthChecks, parseAddress, serveHealthAndMetrics } from './health.ts';
import { counter, newRegistry } from './metrics.ts';

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body });
        });
      })
      .on('error', reject);
  });
}

test('serves /healthz, /readyz gated on checks, and /metrics, on loopback', async () => {
  const registry = newRegistry();
  counter(registry, 'kuray_test_total', 'test', []).inc();
  const health = new HealthChecks();
  let synced = false;
  health.addHealthCheck('ping', () => true);
  health.addReadyCheck('informers-synced', () => synced);
  let scrapes = 0;
  const s = await serveHealthAndMetrics({
    address: '127.0.0.1:0',
    health,
    registry,
    beforeScrape: () => scrapes++,
  });
  try {
    assert.equal(s.host, '127.0.0.1');
    assert.equal((await get(s.port, '/healthz')).status, 200);
    const notReady = await get(s.port, '/readyz');
    assert.equal(notReady.status, 500);
    assert.match(notReady.body, /informers-synced/);
    synced = true;
    assert.equal((await get(s.port, '/readyz')).status, 200);
    const m = await get(s.port, '/metrics');
    assert.match(m.body, /kuray_test_total 1/);
    assert.equal(scrapes, 1);
    assert.equal((await get(s.port, '/nope')).status, 404);
  } finally {
    await s.close();
  }
});

test('addresses: host:port, :port means loopback, bare port', () => {
  assert.deepEqual(parseAddress('0.0.0.0:8080'), { host: '0.0.0.0', port: 8080 });
  assert.deepEqual(parseAddress(':8082'), { host: '127.0.0.1', port: 8082 });
  assert.deepEqual(parseAddress('9000'), { host: '127.0.0.1', port: 9000 });
  assert.throws(() => parseAddress('x:y'), /bad address/);
});
