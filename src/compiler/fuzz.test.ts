// Seeded fuzzing of the whole spec → pods path (issue 13): thousands of mutated RayClusters (the
// guide's examples and builder clusters with auth, autoscaling, GCS FT and multi-host groups), each
// validated and, when accepted, compiled; every generated container command line is run in a real
// bash whose DEBUG trap records what it executes (src/testing/shellProbe.ts). Demands:
//   - validate() and the compiler never throw on an accepted spec (0 crashes);
//   - no generated line runs anything but `ulimit` and `ray start` (or the wait-gcs-ready loop),
//     for accepted specs — and for rejected specs the compiler still builds;
//   - each rayStartParams value reaches `ray start` as the value it means;
//   - every rejection names a field path.
// KURAY_FUZZ_SEED=<n> explores another seed; KURAY_FUZZ_RUNS=<n> more specs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RayCluster } from '../api/v1/index.ts';
import { validate } from '../api/validation/index.ts';
import {
  numOfHosts,
  rayCluster,
  withAuthOptions,
  withAutoscaling,
  withHeadRayStartParams,
  withWorkers,
} from '../testing/builders.ts';
import { mutate, rng } from '../testing/mutate.ts';
import { SEED_EXAMPLES } from '../testing/seeds.ts';
import { runShellLines, type LineRun } from '../testing/shellProbe.ts';
import { expandVars } from '../../rig/node/env.ts';
import { literalValue } from '../util/shell.ts';
import { parseYamlStream } from '../util/yaml.ts';
import { compileCluster } from './index.ts';
import type { Container, Pod } from './k8sTypes.ts';

const SEED = Number(process.env.KURAY_FUZZ_SEED ?? 13);
const RUNS = Number(process.env.KURAY_FUZZ_RUNS ?? 2000);

type Json = Record<string, unknown>;

function bases(): Json[] {
  const out: Json[] = [];
  for (const f of readdirSync(SEED_EXAMPLES)
    .filter((x) => x.endsWith('.yaml'))
    .sort()) {
    for (const d of parseYamlStream(readFileSync(join(SEED_EXAMPLES, f), 'utf8'), f))
      if ((d.value as Json).kind === 'RayCluster') out.push(d.value as Json);
  }
  out.push(
    rayCluster('auth', withWorkers(2), withAuthOptions({ mode: 'token' }), withAutoscaling()),
    rayCluster(
      'ft',
      withWorkers(1, numOfHosts(2)),
      withHeadRayStartParams({ 'redis-password': '$REDIS_PASSWORD', resources: `'{"Custom": 1}'` }),
    ),
  );
  out.push({
    ...(rayCluster('gcs', withWorkers(1)) as unknown as Json),
    metadata: { name: 'gcs', namespace: 'ns', annotations: { 'ray.io/ft-enabled': 'true' } },
  });
  return out;
}

interface Line {
  spec: number;
  what: string;
  container: string;
  /** The container's bash -c argument after the kubelet's $(VAR) expansion. */
  line: string;
  /** The container's environment (values; a placeholder for valueFrom). */
  env: Record<string, string>;
  /** rayStartParams of the group, as written, for the round-trip check. */
  params?: Record<string, string>;
}

/** The environment the kubelet gives a container: values in order, each expanded against the earlier ones. */
function containerEnv(c: Container): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const e of c.env ?? [])
    vars[e.name] = e.valueFrom ? `from-${e.name}` : expandVars(e.value ?? '', vars);
  return vars;
}

/** The bash -c lines of a pod's generated containers (Ray, wait-gcs-ready, autoscaler sidecar). */
function linesOf(
  pod: Pod,
  params: Record<string, string> | undefined,
  base: Pick<Line, 'spec' | 'what'>,
): Line[] {
  const out: Line[] = [];
  const ray = pod.spec?.containers[0];
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    if (c.command?.[0] !== '/bin/bash' || !c.args?.[0]) continue;
    // The user's own init containers and sidecars run the user's commands: not generated.
    if (c !== ray && c.name !== 'wait-gcs-ready' && c.name !== 'autoscaler') continue;
    const env = containerEnv(c);
    const line = expandVars(c.args[0], env);
    out.push({ ...base, container: c.name, line, env, ...(c === ray ? { params } : {}) });
  }
  return out;
}

const WAIT_LOOP =
  /^(true|SECONDS=0|\(\( SECONDS <= 120 \)\)|ray health-check --address .+|echo .*|break|sleep 5)$/s;

test(`fuzz: ${RUNS} mutated RayClusters (seed ${SEED}) — no crash, no command but ray start, every error has a path`, (t) => {
  const r = rng(SEED);
  const seeds = bases();
  const lines: Line[] = [];
  let accepted = 0;
  let rejected = 0;
  let compiledRejected = 0;
  for (let i = 0; i < RUNS; i++) {
    const { obj, what } = mutate(seeds[i % seeds.length]!, r);
    let result;
    try {
      result = validate(obj);
    } catch (e) {
      assert.fail(`validate threw on spec ${i} (${what}): ${(e as Error).stack}`);
    }
    for (const e of result.errors)
      assert.ok(
        e.path !== '' && e.hint !== '',
        `spec ${i} (${what}): error without a path or fix: ${e.message}`,
      );
    const ok = result.errors.length === 0;
    if (ok) accepted++;
    else rejected++;
    let compiled;
    try {
      compiled = compileCluster(obj as unknown as RayCluster);
    } catch (e) {
      // The compiler assumes a valid spec; refusing an invalid one is fine, crashing on a valid one is not.
      if (ok) assert.fail(`compile threw on accepted spec ${i} (${what}): ${(e as Error).stack}`);
      continue;
    }
    if (!ok) compiledRejected++;
    const cluster = compiled.cluster;
    try {
      const head = compiled.headPod('h');
      lines.push(...linesOf(head, cluster.spec.headGroupSpec.rayStartParams, { spec: i, what }));
      for (const g of cluster.spec.workerGroupSpecs ?? [])
        lines.push(...linesOf(compiled.workerPod(g.groupName, 'w'), g.rayStartParams, { spec: i, what }));
    } catch (e) {
      if (ok) assert.fail(`building pods threw on accepted spec ${i} (${what}): ${(e as Error).stack}`);
    }
  }
  const runs: LineRun[] = [];
  for (let i = 0; i < lines.length; i += 2000)
    runs.push(...runShellLines(lines.slice(i, i + 2000).map((l) => ({ line: l.line, env: l.env }))));
  lines.forEach((l, i) => {
    const run = runs[i]!;
    const where = `spec ${l.spec} (${l.what}), container ${l.container}`;
    const wait = l.container === 'wait-gcs-ready';
    const sidecar = l.container === 'autoscaler';
    const allowed = wait ? WAIT_LOOP : sidecar ? /^ray kuberay-autoscaler / : /^ulimit -n |^ray start( |$)/;
    const bad = run.commands.filter((c) => !allowed.test(c));
    assert.deepEqual(bad, [], `${where} ran commands:\n${l.line}`);
    if (wait || sidecar) return;
    assert.equal(run.rayCalls.length, 1, `${where}: one ray start\n${l.line}`);
    // Round trip: every literal rayStartParams value reaches ray start as what it means.
    const args = run.rayCalls[0]!;
    for (const [k, v] of Object.entries(l.params ?? {})) {
      const lit = literalValue(v);
      if (lit === undefined || ['true', 'false'].includes(v.toLowerCase())) continue;
      if (
        ['memory', 'object-store-memory', 'num-cpus', 'num-gpus', 'resources', 'labels', 'address'].includes(
          k,
        )
      )
        continue; // rewritten by the compiler
      assert.ok(
        args.includes(`--${k}=${lit}`),
        `${where}: --${k}=${JSON.stringify(lit)} not among ${JSON.stringify(args)}`,
      );
    }
  });
  t.diagnostic(
    `${accepted} accepted, ${rejected} rejected (${compiledRejected} of them still compiled); ${lines.length} command lines run through bash`,
  );
  assert.ok(accepted >= RUNS / 10, 'the mutations keep enough specs valid to test the compiler');
});
