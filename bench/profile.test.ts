import { test } from 'node:test';
import assert from 'node:assert/strict';
import { partOf, summarize, type CpuProfile } from './profile.ts';

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber });

test('partOf names the repo folder, the npm package or Node itself', () => {
  assert.equal(
    partOf(frame('reconcile', 'file:///w/main/src/controllers/raycluster/reconciler.ts')),
    'src/controllers',
  );
  assert.equal(partOf(frame('f', 'file:///w/main/node_modules/@scope/pkg/dist/x.js')), 'npm:@scope/pkg');
  assert.equal(partOf(frame('f', 'file:///w/main/node_modules/yaml/dist/x.js')), 'npm:yaml');
  assert.equal(partOf(frame('f', 'node:internal/streams/readable')), 'node:internal');
  assert.equal(partOf(frame('(garbage collector)')), '(garbage collector)');
});

test('summarize: self time per function, inclusive time per part, idle left out', () => {
  // root → reconcile (src/controllers) → validate (src/api); root → (idle); root → (garbage collector)
  const p: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame('(root)'), children: [2, 4, 5] },
      {
        id: 2,
        callFrame: frame('reconcile', 'file:///r/src/controllers/raycluster/reconciler.ts', 9),
        children: [3],
      },
      { id: 3, callFrame: frame('validate', 'file:///r/src/api/validation/index.ts', 1) },
      { id: 4, callFrame: frame('(idle)') },
      { id: 5, callFrame: frame('(garbage collector)') },
    ],
    samples: [2, 3, 3, 4, 4, 4, 5],
    timeDeltas: [1000, 1000, 1000, 1000, 1000, 1000, 1000],
    startTime: 0,
    endTime: 7000,
  };
  const s = summarize(p);
  assert.equal(s.wallMs, 7);
  assert.equal(s.busyMs, 4);
  assert.deepEqual(
    s.self.map((f) => [f.name, f.ms]),
    [
      ['validate', 2],
      ['reconcile', 1],
      ['(garbage collector)', 1],
    ],
  );
  assert.equal(s.self[0]!.where, 'src/api/validation/index.ts:2');
  assert.deepEqual(Object.fromEntries(s.parts.map((x) => [x.part, x.ms])), {
    'src/controllers': 3,
    'src/api': 2,
    '(garbage collector)': 1,
  });
});
