// Manager wiring that needs no API server: probes and graceful stop while the API is unreachable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createLogger } from './log.ts';
import { Manager } from './manager.ts';
import { newRegistry } from './metrics.ts';
import { ConfigMaps } from './resources.ts';
import { loopbackKubeConfig } from './testutil.ts';

function status(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
      .on('error', reject);
  });
}

test('healthz is up while readyz waits for informer sync; stop() returns although the API is unreachable', async () => {
  const m = new Manager({
    kubeconfig: loopbackKubeConfig(1), // nothing listens on port 1: the informer keeps retrying
    metricsAddress: '127.0.0.1:0',
    handleSignals: false,
    registry: newRegistry(),
    logger: createLogger({ level: 'error', sink: () => undefined }),
  });
  m.informers.informer(ConfigMaps);
  const c = m.newController({ name: 'noop', reconcile: () => Promise.resolve() });
  await m.start();
  assert.ok(m.port);
  assert.equal(await status(m.port, '/healthz'), 200);
  assert.equal(await status(m.port, '/readyz'), 500);
  assert.equal(m.isLeader(), false, 'controllers do not start before the caches sync');
  await m.stop();
  assert.equal(c.queue.isShuttingDown(), false, 'never started, nothing to drain');
});
