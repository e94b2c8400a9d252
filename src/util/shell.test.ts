import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containerArgs, rayStartCommand } from '../compiler/rayStartCommand.ts';
import { literalValue, parseShellValue, shellQuote, unquotedShellSyntax, valueWord } from './shell.ts';
import { runShellLines, unexpectedCommands } from '../testing/shellProbe.ts';
import { expandVars } from '../../rig/node/env.ts';

/** What `ray start` receives for each value: the kubelet's $(VAR) expansion, then a real bash. */
function throughBash(values: readonly string[], env: Record<string, string> = {}): string[] {
  const lines = values.map((v) =>
    expandVars(containerArgs('', rayStartCommand('worker', { 'temp-dir': v })), env),
  );
  return runShellLines(lines, env).map((run, i) => {
    assert.deepEqual(unexpectedCommands(run), [], `value ${JSON.stringify(values[i])} ran a command`);
    assert.equal(run.rayCalls.length, 1, `value ${JSON.stringify(values[i])}: one ray call`);
    const args = run.rayCalls[0]!;
    assert.equal(args.length, 2, `one argument for the flag: ${JSON.stringify(args)}`);
    assert.ok(args[1]!.startsWith('--temp-dir='));
    return args[1]!.slice('--temp-dir='.length);
  });
}

test("the issue's injection reaches ray start as text and runs nothing", () => {
  const attacks = [
    '/tmp/ray; touch /tmp/x; #',
    '$(touch /tmp/x)',
    '`touch /tmp/x`',
    "'; touch /tmp/x; '",
    '"; touch /tmp/x; "',
    '/tmp && touch /tmp/x',
    '/tmp | touch /tmp/x',
    '/tmp\ntouch /tmp/x',
    '${X:-$(touch /tmp/x)}',
    '"$(touch /tmp/x)"',
    "'a'\\''b'; touch /tmp/x",
    '*',
    '~root',
  ];
  const got = throughBash(attacks);
  for (const [i, v] of attacks.entries()) {
    const lit = literalValue(v);
    assert.equal(got[i], lit ?? v, `value ${JSON.stringify(v)}`);
  }
  assert.equal(got[0], '/tmp/ray; touch /tmp/x; #');
});

test("KubeRay's pre-quoted values mean what they mean in KubeRay's line", () => {
  const cases: [string, string][] = [
    [`'{"CPU": 1}'`, '{"CPU": 1}'],
    [`"{\\"Custom1\\": 1, \\"Custom2\\": 5}"`, '{"Custom1": 1, "Custom2": 5}'],
    [`"a\\\\b\\$c"`, 'a\\b$c'],
    ['plain', 'plain'],
    ['{"CPU": 1}', '{"CPU": 1}'], // unquoted JSON: KubeRay splits it; Kuray passes it whole
    ['', ''],
    ["it's", "it's"],
  ];
  const got = throughBash(cases.map(([v]) => v));
  cases.forEach(([v, want], i) => {
    assert.equal(got[i], want, `value ${JSON.stringify(v)}`);
  });
});

test('environment references still expand, one word, no splitting or globbing', () => {
  const env = { REDIS_PASSWORD: 'p a*s;s', HOST: 'h', EVIL: "'; touch /tmp/x; '" };
  const got = throughBash(
    [
      '$REDIS_PASSWORD',
      '"${HOST}x"',
      '${HOST}:6379',
      "'$HOST'",
      '$(HOST)',
      '$(EVIL)',
      "'$(EVIL)'",
      'pa$$word',
    ],
    env,
  );
  // $(EVIL) is the kubelet's reference: its value arrives as text, and inside quotes it is text.
  assert.deepEqual(got, [
    'p a*s;s',
    'hx',
    'h:6379',
    '$HOST',
    'h',
    "'; touch /tmp/x; '",
    '$(EVIL)',
    'pa$$word',
  ]);
  assert.equal(valueWord('$REDIS_PASSWORD'), '"$REDIS_PASSWORD"');
  assert.equal(valueWord('${HOST}x'), '"${HOST}"x');
});

test('words: plain values stay bare (as KubeRay writes them), others are single-quoted', () => {
  assert.equal(shellQuote('4294967296'), '4294967296');
  assert.equal(shellQuote('head-svc.ns.svc.cluster.local:6379'), 'head-svc.ns.svc.cluster.local:6379');
  assert.equal(shellQuote('{"TPU":4}'), `'{"TPU":4}'`);
  assert.equal(shellQuote("a'b"), `'a'\\''b'`);
  assert.equal(valueWord(''), "''");
});

test('parseShellValue refuses expansions that run commands; unquotedShellSyntax names them', () => {
  for (const v of ['"$(id -u)"', '"`id`"', '"${X:-y}"', '"$1"', '"a"b"']) {
    const p = parseShellValue(v);
    assert.equal(p.ok, false, v);
  }
  assert.match(unquotedShellSyntax('/tmp/ray; touch /tmp/x; #')!, /";" ends the command/);
  assert.match(unquotedShellSyntax('$(id -u)')!, /can run commands/);
  assert.equal(unquotedShellSyntax('$(MY_POD_IP)'), undefined, "the kubelet's env reference");
  assert.match(unquotedShellSyntax('a|b')!, /pipes/);
  assert.equal(unquotedShellSyntax("'a;b'"), undefined, 'inside single quotes it is text');
  assert.equal(unquotedShellSyntax('"{\\"a\\": 1}"'), undefined);
  assert.equal(unquotedShellSyntax('$REDIS_PASSWORD'), undefined);
});
