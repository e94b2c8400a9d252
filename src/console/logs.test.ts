import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stripAnsi } from './logs.ts';

test("stripAnsi: Ray CLI's colour escapes go, the text stays", () => {
  const line =
    "INFO cli.py:67 -- \x1b[32mJob 'hello-45bbk' submitted successfully\x1b[39m \x1b[1mray job logs\x1b[22m";
  assert.equal(stripAnsi(line), "INFO cli.py:67 -- Job 'hello-45bbk' submitted successfully ray job logs");
  assert.equal(stripAnsi('42\n'), '42\n');
});
