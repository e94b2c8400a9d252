import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StartGate } from './gate.ts';

describe('StartGate', () => {
  it('admits `limit` holders, queues the rest in order, and tolerates double release', async () => {
    const g = new StartGate(2);
    const r1 = await g.acquire();
    const r2 = await g.acquire();
    const order: number[] = [];
    const p3 = g.acquire().then((r) => (order.push(3), r));
    const p4 = g.acquire().then((r) => (order.push(4), r));
    assert.equal(g.active, 2);
    assert.equal(g.waiting, 2);
    r1();
    r1();
    const r3 = await p3;
    assert.deepEqual(order, [3]);
    assert.equal(g.waiting, 1);
    r2();
    const r4 = await p4;
    assert.deepEqual(order, [3, 4]);
    r3();
    r4();
    assert.equal(g.active, 0);
  });
  it('puts `first` waiters ahead of the others, in their own arrival order', async () => {
    const g = new StartGate(1);
    const r0 = await g.acquire();
    const order: string[] = [];
    const take = (name: string, first: boolean) =>
      g.acquire(first).then((r) => {
        order.push(name);
        r();
      });
    const all = [take('w1', false), take('h1', true), take('w2', false), take('h2', true)];
    r0();
    await Promise.all(all);
    assert.deepEqual(order, ['h1', 'h2', 'w1', 'w2']);
  });
});
