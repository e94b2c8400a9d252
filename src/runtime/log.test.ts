import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, isLogLevel } from './log.ts';

test('one JSON object per line with level filtering, child fields and errors as messages', () => {
  const lines: string[] = [];
  const log = createLogger({ level: 'info', sink: (l) => lines.push(l) });
  log.debug('hidden');
  const child = log.child({ controller: 'raycluster', namespace: 'ns' });
  child.info('reconciled', { name: 'c', reconcileID: 'r1' });
  child.error('failed', { err: Object.assign(new Error('boom'), { reason: 'Conflict' }) });
  assert.equal(lines.length, 2);
  const a = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.equal(a.level, 'info');
  assert.equal(a.msg, 'reconciled');
  assert.equal(a.controller, 'raycluster');
  assert.equal(a.reconcileID, 'r1');
  assert.match(String(a.ts), /^\d{4}-\d\d-\d\dT/);
  const b = JSON.parse(lines[1]!) as { err: { message: string; reason: string } };
  assert.deepEqual(b.err, { message: 'boom', reason: 'Conflict' });
  assert.equal(log.enabled('debug'), false);
  assert.ok(isLogLevel('warn') && !isLogLevel('trace'));
});
