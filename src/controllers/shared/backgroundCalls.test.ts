import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { BackgroundCalls } from './backgroundCalls.ts';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('BackgroundCalls', () => {
  it('poll returns at once, runs one call per key in the background and requeues when it settles', async () => {
    const settled: string[] = [];
    const calls = new BackgroundCalls<number>({ onSettled: (k) => settled.push(k) });
    const d = deferred<number>();
    let started = 0;
    const call = () => {
      started++;
      return d.promise;
    };
    assert.equal(calls.poll('a', 1000, call), undefined);
    assert.equal(calls.poll('a', 1000, call), undefined, 'a second poll while in flight starts nothing');
    assert.equal(started, 1);
    assert.ok(calls.inFlight('a'));
    d.resolve(42);
    await sleep(0);
    assert.deepEqual(settled, ['a']);
    const r = calls.poll('a', 60_000, call);
    assert.ok(r?.ok && r.value === 42);
    assert.equal(started, 1, 'a fresh result is not fetched again');
  });

  it('a stale result is returned while the refresh runs; errors and timeouts settle as errors', async () => {
    let now = 0;
    const settled: string[] = [];
    const calls = new BackgroundCalls<string>({
      onSettled: (k) => settled.push(k),
      now: () => now,
      timeoutMs: 20,
    });
    calls.poll('k', 100, () => Promise.resolve('v1'));
    await sleep(0);
    now = 500;
    const hang = deferred<string>();
    const r = calls.poll('k', 100, () => hang.promise);
    assert.ok(r?.ok && r.value === 'v1', 'the stale value, while the refresh is in flight');
    await sleep(60);
    const t = calls.peek('k');
    assert.ok(t && !t.ok && /no answer within 20 ms/.test(t.error.message));
    calls.poll('k', 0, () => Promise.reject(new Error('connection refused')));
    await sleep(0);
    const e = calls.peek('k');
    assert.ok(e && !e.ok && e.error.message === 'connection refused');
    assert.deepEqual(settled, ['k', 'k', 'k']);
  });

  it('forget aborts the call and drops its late result; run starts a one-shot call once', async () => {
    const settled: string[] = [];
    const calls = new BackgroundCalls<number>({ onSettled: (k) => settled.push(k) });
    const d = deferred<number>();
    let aborted = false;
    calls.poll('job/a', 1000, (signal) => {
      signal.addEventListener('abort', () => (aborted = true));
      return d.promise;
    });
    calls.forgetPrefix('job/');
    d.resolve(1);
    await sleep(0);
    assert.ok(aborted);
    assert.equal(calls.peek('job/a'), undefined);
    assert.deepEqual(settled, []);
    let runs = 0;
    const once = deferred<number>();
    calls.run('submit', () => {
      runs++;
      return once.promise;
    });
    calls.run('submit', () => {
      runs++;
      return once.promise;
    });
    once.resolve(7);
    await sleep(0);
    assert.equal(runs, 1);
    assert.deepEqual(settled, ['submit']);
  });
});
