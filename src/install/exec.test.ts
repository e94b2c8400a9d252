import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runTool, runToolOk } from './exec.ts';

const node = process.execPath;

test('runTool returns stdout, stderr and the exit code, with stdin fed', async () => {
  const r = await runTool(
    node,
    [
      '-e',
      'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{process.stdout.write(s.toUpperCase());console.error("err");process.exit(3)})',
    ],
    { input: 'hello' },
  );
  assert.deepEqual(r, { stdout: 'HELLO', stderr: 'err\n', code: 3 });
});

test('runTool uses exactly the given environment', async () => {
  const r = await runTool(node, ['-e', 'process.stdout.write(String(process.env.KUBECONFIG))'], {
    env: { PATH: process.env.PATH ?? '' },
  });
  assert.equal(r.stdout, 'undefined');
});

test('runToolOk throws with the command line and stderr', async () => {
  await assert.rejects(
    runToolOk(node, ['-e', 'console.error("no access");process.exit(1)']),
    /failed \(exit 1\):\nno access/,
  );
  assert.equal(await runToolOk(node, ['-e', 'process.stdout.write("ok")']), 'ok');
});
