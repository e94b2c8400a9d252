// Runs generated container command lines in a real bash and reports what they would execute: every
// simple command bash runs (a DEBUG trap, inherited by subshells and command substitutions), and the
// arguments `ray` received. Nothing real runs: `ray` and `ulimit` are functions, PATH is empty, and
// any other command is only recorded. One bash process serves a whole batch of lines.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LineRun {
  /** The simple commands bash ran for the line, as written (`ray start --head …`, `touch /tmp/x`). */
  commands: string[];
  /** Arguments of each `ray` call. */
  rayCalls: string[][];
  /** The line's exit status (2 for a syntax error). */
  status: number;
}

const US = '\x1f';
const RS = '\x1e';

/** `'…'` for bash. */
function q(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/** A `bash -c` argument, with the container's environment when it matters. */
export type ShellLine = string | { line: string; env: Readonly<Record<string, string>> };

/**
 * Runs each line (a `bash -c` argument, after the kubelet's $(VAR) expansion) with `env` (and the
 * line's own env) exported. Lines run in order in one process (a line that exits the shell fails
 * the whole batch loudly).
 */
export function runShellLines(
  lines: readonly ShellLine[],
  env: Readonly<Record<string, string>> = {},
): LineRun[] {
  const empty = mkdtempSync(join(tmpdir(), 'kuray-shell-probe-'));
  const header = [
    'set -T', // the DEBUG trap reaches subshells and command substitutions
    `ray() { printf 'R'; for a in "$@"; do printf '${US}%s' "$a"; done; printf '${RS}'; }`,
    'ulimit() { :; }',
    `command_not_found_handle() { printf 'C${US}%s${RS}' "$*"; return 127; }`,
    // Only commands of the line itself: not the harness's own, not the functions' bodies.
    `trap '[[ $__probe == 1 && \${#FUNCNAME[@]} -eq 0 || $BASH_SUBSHELL -gt 0 && \${FUNCNAME[0]} != ray ]] && printf "X${US}%s${RS}" "$BASH_COMMAND"' DEBUG`,
    `PATH=${q(empty)}`,
  ];
  const body = lines.map((item) => {
    const line = typeof item === 'string' ? item : item.line;
    const own = typeof item === 'string' ? {} : item.env;
    const exports = Object.entries({ ...env, ...own })
      .filter(([k]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k))
      .map(([k, v]) => `${k}=${q(v)}`)
      .join(' ');
    return [
      `printf 'L${RS}'`,
      `${exports ? `export ${exports}; ` : ''}__l=${q(line)}`,
      // eval contains a syntax error to this line; the trap records what the line runs.
      '__probe=1; eval "$__l"; __s=$?; __probe=0',
      `printf 'S${US}%s${RS}' "$__s"`,
    ].join('\n');
  });
  try {
    const r = spawnSync('/bin/bash', ['--norc', '--noprofile', '-s'], {
      input: [...header, ...body].join('\n') + '\n',
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      env: { PATH: empty, HOME: empty },
    });
    if (r.error) throw r.error;
    const runs: LineRun[] = [];
    let cur: LineRun | undefined;
    for (const rec of r.stdout.split(RS)) {
      if (rec === 'L') {
        cur = { commands: [], rayCalls: [], status: 0 };
        runs.push(cur);
        continue;
      }
      if (!cur || rec === '') continue;
      const [tag, ...rest] = rec.split(US);
      if (tag === 'X') {
        const cmd = rest.join(US);
        // The harness's own statements inside the line's window.
        if (cmd === 'eval "$__l"' || cmd.startsWith('__s=') || cmd === '__probe=0') continue;
        cur.commands.push(cmd);
      } else if (tag === 'R') cur.rayCalls.push(rest);
      else if (tag === 'C') cur.commands.push(rest.join(US));
      else if (tag === 'S') cur.status = Number(rest[0]);
    }
    if (runs.length !== lines.length)
      throw new Error(
        `shell probe: ${runs.length} results for ${lines.length} lines\n${r.stderr.slice(-2000)}`,
      );
    return runs;
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
}

/** The commands of a run that are not `ulimit …` or `ray start …` (what an injection would add). */
export function unexpectedCommands(run: LineRun): string[] {
  return run.commands.filter((c) => !/^ulimit -n /.test(c) && !/^ray start( |$)/.test(c));
}
