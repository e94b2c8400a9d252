import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { ProbeState, probePort, runProbe } from './probe.ts';

describe('ProbeState', () => {
  it('readiness starts false and follows success/failure thresholds', () => {
    const p = new ProbeState('readiness', { successThreshold: 2, failureThreshold: 2 });
    assert.equal(p.result, false);
    assert.equal(p.record(true), false);
    assert.equal(p.record(true), true);
    assert.equal(p.result, true);
    p.record(false);
    assert.equal(p.result, true);
    assert.equal(p.record(false), true);
    assert.equal(p.result, false);
  });
  it('liveness fails after failureThreshold consecutive failures', () => {
    const p = new ProbeState('liveness', { failureThreshold: 3 });
    assert.equal(p.result, true);
    p.record(false);
    p.record(false);
    assert.equal(p.failed, false);
    p.record(false);
    assert.equal(p.failed, true);
  });
});

describe('runProbe', () => {
  const c = { name: 'c', ports: [{ name: 'web', containerPort: 0 }] };
  it('HTTP: 2xx/3xx succeed, others fail; named ports resolve; TCP and exec work', async () => {
    const server = http.createServer((req, res) => res.writeHead(req.url === '/ok' ? 200 : 503).end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const t = {
      podIP: '127.0.0.1',
      env: { PATH: '/usr/bin:/bin' },
      cwd: '/',
      container: { ...c, ports: [{ name: 'web', containerPort: port }] },
    };
    assert.equal(probePort('web', t.container), port);
    assert.equal(await runProbe({ httpGet: { path: '/ok', port: 'web' } }, t), true);
    assert.equal(await runProbe({ httpGet: { path: '/bad', port } }, t), false);
    assert.equal(await runProbe({ tcpSocket: { port } }, t), true);
    server.close();
    assert.equal(await runProbe({ tcpSocket: { port } }, t), false);
    assert.equal(await runProbe({ exec: { command: ['sh', '-c', 'exit 0'] } }, t), true);
    assert.equal(await runProbe({ exec: { command: ['sh', '-c', 'exit 3'] } }, t), false);
    assert.equal(await runProbe({ exec: { command: ['sleep', '5'] }, timeoutSeconds: 1 }, t), false);
  });
});
