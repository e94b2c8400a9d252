import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parsePrometheusText, select } from './prometheus.ts';

const testdata = join(import.meta.dirname, 'testdata');

test('parses a real Ray 2.58 head exposition without a single error', () => {
  const text = readFileSync(join(testdata, 'metrics.head.busy.prom'), 'utf8');
  const e = parsePrometheusText(text);
  assert.deepEqual(e.errors, []);
  const sampleLines = text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#')).length;
  assert.equal(e.samples.length, sampleLines);
  assert.equal(e.types.get('ray_node_cpu_utilization'), 'gauge');
  assert.equal(e.help.get('ray_node_cpu_utilization'), 'Total CPU usage on a ray node');
  const [cpu] = select(e.samples, 'ray_node_cpu_utilization', { IsHeadNode: 'true' });
  assert.equal(cpu?.value, 100);
  assert.equal(cpu?.labels.SessionName, 'session_2026-11-28_15-17-42_963237_5943');
  const pending = select(e.samples, 'ray_scheduler_unscheduleable_tasks', { Reason: 'WaitingForResources' });
  assert.equal(pending[0]?.value, 2);
});

test('handles escapes, special values, timestamps, CRLF, spacing and odd comments', () => {
  const text = [
    '# just a comment',
    '# HELP m A help with \\\\ and \\n newline',
    '# TYPE m gauge',
    'm{a="x\\"y",b="line\\nbreak",c="back\\\\slash"} 1.5e+03 1700000000000\r',
    'm{a="",} NaN',
    'inf_metric +Inf',
    'neg -Inf',
    'plain 42',
    '   spaced{ a = "v" }   -0.5   ',
    'colon:name_total 7',
    '',
  ].join('\n');
  const e = parsePrometheusText(text);
  assert.deepEqual(e.errors, []);
  assert.equal(e.help.get('m'), 'A help with \\ and \n newline');
  const [m0, m1, inf, neg, plain, spaced, colon] = e.samples;
  assert.deepEqual(m0, {
    name: 'm',
    labels: { a: 'x"y', b: 'line\nbreak', c: 'back\\slash' },
    value: 1500,
    timestampMs: 1700000000000,
  });
  assert.ok(Number.isNaN(m1!.value));
  assert.deepEqual(m1!.labels, { a: '' });
  assert.equal(inf!.value, Infinity);
  assert.equal(neg!.value, -Infinity);
  assert.equal(plain!.value, 42);
  assert.deepEqual(spaced!.labels, { a: 'v' });
  assert.equal(spaced!.value, -0.5);
  assert.equal(colon!.name, 'colon:name_total');
});

test('a broken line is reported and skipped, the rest still parses', () => {
  const e = parsePrometheusText(
    'good 1\nbad{a="unterminated} 2\nworse 0x10\nalso_good{x="1"} 3\n# TYPE t nonsense\n',
  );
  assert.deepEqual(
    e.samples.map((s) => s.name),
    ['good', 'also_good'],
  );
  assert.deepEqual(
    e.errors.map((x) => x.line),
    [2, 3, 5],
  );
});

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

test('property: any label values and finite values round-trip through the text format', () => {
  const name = fc.stringMatching(/^[a-zA-Z_:][a-zA-Z0-9_:]{0,20}$/);
  const labelName = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,10}$/);
  fc.assert(
    fc.property(
      name,
      fc.dictionary(labelName, fc.string({ unit: 'binary', maxLength: 20 }), { maxKeys: 5 }),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      (n, labels, value) => {
        const ls = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
        const line = `${n}${ls.length ? `{${ls.join(',')}}` : ''} ${String(value)}`;
        const e = parsePrometheusText(line);
        assert.deepEqual(e.errors, []);
        assert.equal(e.samples[0]!.name, n);
        assert.deepEqual({ ...e.samples[0]!.labels }, { ...labels });
        assert.equal(e.samples[0]!.value, value === 0 ? 0 : value);
      },
    ),
  );
});
