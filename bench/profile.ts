// Reads a V8 .cpuprofile (what `npm run bench -- --cpu-prof` writes for each Kuray run) and says where
// the operator's CPU went: self time of the hottest functions, and inclusive time per part of the
// program (a src/ folder, an npm package, Node's internals), so a missed goal can be explained from a
// profile instead of a guess.
//
//   npm run bench:profile -- bench/results/<run>/cpu-prof/<file>.cpuprofile [--top 25]
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  /** Wall time the profile covers, ms. */
  wallMs: number;
  /** Sampled time outside (idle), ms: what the process actually spent on the CPU (roughly). */
  busyMs: number;
  self: { name: string; where: string; ms: number }[];
  /** Inclusive ms per part: a sample counts once for every part on its stack. */
  parts: { part: string; ms: number }[];
}

const SPECIAL = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

/** The part of the program a frame belongs to: "src/runtime", "rig/node", "npm:yaml", "node:internal", … */
export function partOf(f: CallFrame): string {
  if (SPECIAL.has(f.functionName)) return f.functionName;
  const url = f.url;
  if (!url) return '(native)';
  if (url.startsWith('node:')) return 'node:internal';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (nm) return `npm:${nm[1]!}`;
  const repo = /\/(src|rig|bench|scripts)\/([^/]+)\//.exec(url);
  if (repo) return `${repo[1]!}/${repo[2]!}`;
  const top = /\/(src|rig|bench|scripts)\/[^/]+$/.exec(url);
  if (top) return top[1]!;
  return '(other)';
}

function where(f: CallFrame): string {
  const file = f.url.replace(/^file:\/\//, '').replace(/^.*\/(node_modules|src|rig|bench|scripts)\//, '$1/');
  return file ? `${file}:${f.lineNumber + 1}` : '';
}

export function summarize(p: CpuProfile, top = 25): ProfileSummary {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map<number, number>();
  const partUs = new Map<string, number>();
  let idleUs = 0;
  let totalUs = 0;
  const stackParts = new Map<number, string[]>(); // node id → distinct parts on its stack (memo)
  const partsOf = (id: number): string[] => {
    const hit = stackParts.get(id);
    if (hit) return hit;
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)!.callFrame;
      if (f.functionName !== '(root)') seen.add(partOf(f));
    }
    const out = [...seen];
    stackParts.set(id, out);
    return out;
  };
  for (let i = 0; i < p.samples.length; i++) {
    const id = p.samples[i]!;
    const dt = p.timeDeltas[i] ?? 0;
    totalUs += dt;
    const f = byId.get(id)!.callFrame;
    if (f.functionName === '(idle)') {
      idleUs += dt;
      continue;
    }
    selfUs.set(id, (selfUs.get(id) ?? 0) + dt);
    for (const part of partsOf(id)) partUs.set(part, (partUs.get(part) ?? 0) + dt);
  }
  // Self time per function (several nodes can be the same function under different callers).
  const fnUs = new Map<string, { name: string; where: string; us: number }>();
  for (const [id, us] of selfUs) {
    const f = byId.get(id)!.callFrame;
    const key = `${f.functionName}@${f.url}:${f.lineNumber}`;
    const e = fnUs.get(key) ?? { name: f.functionName || '(anonymous)', where: where(f), us: 0 };
    e.us += us;
    fnUs.set(key, e);
  }
  return {
    wallMs: (p.endTime - p.startTime) / 1000,
    busyMs: (totalUs - idleUs) / 1000,
    self: [...fnUs.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((e) => ({ name: e.name, where: e.where, ms: e.us / 1000 })),
    parts: [...partUs.entries()].sort((a, b) => b[1] - a[1]).map(([part, us]) => ({ part, ms: us / 1000 })),
  };
}

export function formatSummary(s: ProfileSummary): string {
  const pct = (ms: number) => `${((100 * ms) / Math.max(s.busyMs, 1e-9)).toFixed(1).padStart(5)} %`;
  const lines = [
    `wall ${(s.wallMs / 1000).toFixed(1)} s, on CPU (not idle) ${(s.busyMs / 1000).toFixed(2)} s`,
    '',
    'inclusive by part (share of on-CPU time; a sample counts for every part on its stack):',
    ...s.parts.map((p) => `  ${pct(p.ms)}  ${(p.ms / 1000).toFixed(2).padStart(7)} s  ${p.part}`),
    '',
    'self time, hottest functions:',
    ...s.self.map((f) => `  ${pct(f.ms)}  ${(f.ms / 1000).toFixed(2).padStart(7)} s  ${f.name}  ${f.where}`),
  ];
  return lines.join('\n');
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const topAt = args.indexOf('--top');
  const top = topAt >= 0 ? Number(args.splice(topAt, 2)[1]) : 25;
  if (args.length === 0) {
    process.stderr.write('usage: npm run bench:profile -- <file.cpuprofile> [...] [--top N]\n');
    process.exit(2);
  }
  for (const file of args) {
    const s = summarize(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, top);
    process.stdout.write(`== ${file}\n${formatSummary(s)}\n\n`);
  }
}
