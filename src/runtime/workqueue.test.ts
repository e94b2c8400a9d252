import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from './clock.ts';
import { newRegistry } from './metrics.ts';
import { ItemExponentialRateLimiter } from './ratelimit.ts';
import { WorkQueue } from './workqueue.ts';

function queue(clock = new FakeClock()) {
  const registry = newRegistry();
  return { q: new WorkQueue<string>({ name: 'test', clock, registry }), clock, registry };
}

/** get() with a guard that fails the test instead of hanging if nothing is queued. */
async function getNow(q: WorkQueue<string>): Promise<string | undefined> {
  return Promise.race([
    q.get(),
    new Promise<never>((_, reject) =>
      setTimeout(() => {
        reject(new Error('get() blocked'));
      }, 1000).unref(),
    ),
  ]);
}

test('adds de-duplicate while queued', async () => {
  const { q } = queue();
  q.add('a');
  q.add('b');
  q.add('a');
  assert.equal(q.length, 2);
  assert.equal(await getNow(q), 'a');
  assert.equal(await getNow(q), 'b');
  assert.equal(q.length, 0);
});

test('an item added while processing is not handed out twice, and is re-queued once on done', async () => {
  const { q } = queue();
  q.add('a');
  const item = await getNow(q);
  assert.equal(item, 'a');
  q.add('a');
  q.add('a');
  assert.equal(q.length, 0, 'not queued while being processed');
  let second: string | undefined;
  void q.get().then((x) => (second = x));
  await new Promise((r) => setImmediate(r));
  assert.equal(second, undefined, 'a second worker must not get the same item');
  q.done('a');
  await new Promise((r) => setImmediate(r));
  assert.equal(second, 'a');
  q.done('a');
  assert.equal(q.length, 0, 'queued exactly once');
});

test('get() waits for an add', async () => {
  const { q } = queue();
  const p = q.get();
  q.add('x');
  assert.equal(await p, 'x');
});

test('addAfter fires on the clock, and an earlier time wins over a later one', async () => {
  const { q, clock } = queue();
  q.addAfter('a', 1000);
  q.addAfter('a', 5000);
  q.addAfter('b', 2000);
  q.addAfter('b', 500);
  clock.advance(499);
  assert.equal(q.length, 0);
  clock.advance(1);
  assert.equal(q.length, 1);
  assert.equal(await getNow(q), 'b');
  clock.advance(500);
  assert.equal(await getNow(q), 'a');
  clock.advance(10_000);
  assert.equal(q.length, 0, 'the later addAfter of a was folded into the earlier one');
});

test('addThrottled: the first add of a quiet item goes at once, the rest of its window become one add at the end', async () => {
  const { q, clock } = queue();
  q.addThrottled('a', 1000);
  assert.equal(await getNow(q), 'a', 'a lone event waits for nothing');
  q.done('a');
  clock.advance(100);
  q.addThrottled('a', 1000);
  clock.advance(400);
  q.addThrottled('a', 1000);
  assert.equal(q.length, 0, 'inside the window: held');
  clock.advance(499);
  assert.equal(q.length, 0);
  clock.advance(1);
  assert.equal(await getNow(q), 'a', 'one add at the window end (t = 1000)');
  q.done('a');
  clock.advance(200);
  q.addThrottled('a', 1000);
  assert.equal(q.length, 0, 'the next window starts where the last add was: t = 1200 waits for 2000');
  clock.advance(800);
  assert.equal(await getNow(q), 'a');
  q.done('a');
  clock.advance(5000);
  q.addThrottled('a', 1000);
  assert.equal(await getNow(q), 'a', 'quiet again: at once');
});

test('addRateLimited backs off per item exponentially from 5 ms; forget resets', () => {
  const { q, clock } = queue();
  const delays: number[] = [];
  for (let i = 0; i < 5; i++) {
    q.addRateLimited('a');
    let waited = 0;
    while (q.length === 0) {
      clock.advance(1);
      waited++;
    }
    delays.push(waited);
    void q.get();
    q.done('a');
  }
  assert.deepEqual(delays, [5, 10, 20, 40, 80]);
  assert.equal(q.numRequeues('a'), 5);
  q.forget('a');
  assert.equal(q.numRequeues('a'), 0);
});

test('shutDown releases waiting getters, hands out what is left, then ends; adds are ignored', async () => {
  const { q } = queue();
  const waiting = q.get();
  q.shutDown();
  assert.equal(await waiting, undefined);
  const { q: q2 } = queue();
  q2.add('a');
  q2.shutDown();
  q2.add('b');
  assert.equal(await getNow(q2), 'a');
  assert.equal(await getNow(q2), undefined);
});

test('shutDownWithDrain resolves only after in-flight items are done', async () => {
  const { q } = queue();
  q.add('a');
  await getNow(q);
  let drained = false;
  const p = q.shutDownWithDrain().then(() => (drained = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(drained, false);
  q.done('a');
  await p;
  assert.equal(drained, true);
});

test('exports client-go work queue metrics labelled by name', async () => {
  const { q, clock, registry } = queue();
  q.add('a');
  q.add('a');
  clock.advance(20);
  await getNow(q);
  clock.advance(30);
  q.updateUnfinishedWork();
  q.done('a');
  q.addRateLimited('b');
  const text = await registry.metrics();
  assert.match(text, /workqueue_adds_total\{name="test"\} 1/);
  assert.match(text, /workqueue_retries_total\{name="test"\} 1/);
  assert.match(text, /workqueue_depth\{name="test"\} 0/);
  assert.match(text, /workqueue_queue_duration_seconds_sum\{name="test"\} 0.02/);
  assert.match(text, /workqueue_work_duration_seconds_sum\{name="test"\} 0.03/);
  assert.match(text, /workqueue_unfinished_work_seconds\{name="test"\} 0.03/);
  assert.match(text, /workqueue_longest_running_processor_seconds\{name="test"\} 0.03/);
});

test('a custom rate limiter is honoured', () => {
  const clock = new FakeClock();
  const q = new WorkQueue<string>({
    name: 'custom',
    clock,
    registry: newRegistry(),
    rateLimiter: new ItemExponentialRateLimiter(100, 150),
  });
  q.addRateLimited('a');
  clock.advance(99);
  assert.equal(q.length, 0);
  clock.advance(1);
  assert.equal(q.length, 1);
});
