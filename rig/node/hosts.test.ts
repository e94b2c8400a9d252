import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hostsFile, serviceNames } from './hosts.ts';

const svc = (
  name: string,
  ns: string,
  selector: Record<string, string>,
  publishNotReadyAddresses = false,
) => ({
  metadata: { name, namespace: ns },
  spec: { selector, publishNotReadyAddresses },
});
const pod = (ns: string, labels: Record<string, string>, ip: string, ready: boolean, created = 't') => ({
  namespace: ns,
  labels,
  ip,
  ready,
  created,
});

describe('hostsFile', () => {
  it('maps every Service name form to the loopback IPs of the pods it selects, ready first', () => {
    const text = hostsFile(
      [svc('head-svc', 'a', { role: 'head' }, true), svc('web', 'a', { app: 'web' }), svc('nosel', 'a', {})],
      [
        pod('a', { role: 'head' }, '127.9.0.2', false),
        pod('b', { role: 'head' }, '127.9.0.3', true),
        pod('a', { app: 'web' }, '127.9.0.4', false),
        pod('a', { app: 'web' }, '127.9.0.5', true),
      ],
    );
    const lines = text.trim().split('\n').slice(1);
    assert.deepEqual(lines, [
      `127.9.0.2 ${serviceNames('head-svc', 'a').join(' ')}`,
      `127.9.0.5 ${serviceNames('web', 'a').join(' ')}`,
    ]);
    assert.deepEqual(serviceNames('s', 'n'), ['s.n.svc.cluster.local', 's.n.svc', 's.n']);
  });
});
