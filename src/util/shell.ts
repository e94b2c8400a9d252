// Shell words for the generated container command. KubeRay pastes rayStartParams keys and values
// into a `bash -c` line as they are, so `temp-dir: "/tmp/ray; touch /tmp/x"` runs `touch`. Kuray
// reads each value the way users write it for KubeRay, then writes it back as one shell word that
// can only expand an environment variable, never run anything:
//
//   - `'…'` (the whole value in single quotes): the text inside, as bash reads it;
//   - `"…"` (the whole value in double quotes, KubeRay's documented `'"{\"CPU\": 1}"'`): bash's
//     double-quote rules — `\"`, `\\`, `\$`, `` \` `` unescape, `$NAME`/`${NAME}` expand;
//   - anything else: the text as written, except `$NAME`/`${NAME}` (KubeRay's own
//     `redis-password: $REDIS_PASSWORD`), which still expand.
//
// `$(NAME)`, the kubelet's reference to a container env var, is read as that variable too (the
// kubelet would paste its value unquoted into the line; bash reads the same variable from the
// environment, quoted). Every other expansion (`$(…)`, backquotes, `${NAME:-…}`, `$((…))`) is refused
// by `parseShellValue`; validation reports it, and the compiler then passes the value as literal text.
//
// The words are for a container's args, which the kubelet expands before bash sees them: a literal
// `$` is written `$$`, so `$(X)` inside quoted text cannot become the value of X.

export type Segment = { readonly literal: string } | { readonly variable: string };

export type ParsedValue =
  | { readonly ok: true; readonly segments: readonly Segment[] }
  | { readonly ok: false; readonly reason: string };

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/** `$NAME`, `${NAME}` or `$(NAME)` at `s[i]` (which is `$`): the variable and the text it spans. */
function variableAt(s: string, i: number): { name: string; length: number } | undefined {
  const rest = s.slice(i + 1);
  if (rest.startsWith('{') || rest.startsWith('(')) {
    const m = rest.startsWith('{')
      ? /^\{([A-Za-z_][A-Za-z0-9_]*)\}/.exec(rest)
      : /^\(([A-Za-z_][A-Za-z0-9_]*)\)/.exec(rest);
    return m ? { name: m[1]!, length: m[0].length + 1 } : undefined;
  }
  const m = NAME.exec(rest);
  return m ? { name: m[0], length: m[0].length + 1 } : undefined;
}

function push(out: Segment[], seg: Segment): void {
  const last = out.at(-1);
  if (last && 'literal' in last && 'literal' in seg)
    out[out.length - 1] = { literal: last.literal + seg.literal };
  else out.push(seg);
}

/** The inside of a double-quoted bash string; undefined reason when it is safe. */
function parseDoubleQuoted(body: string): ParsedValue {
  const out: Segment[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '\\' && i + 1 < body.length && '$`"\\\n'.includes(body[i + 1]!)) {
      if (body[i + 1] !== '\n') push(out, { literal: body[i + 1]! }); // backslash-newline is a continuation
      i++;
    } else if (c === '"') {
      return { ok: false, reason: 'an unescaped " inside a double-quoted value ends the quotes early' };
    } else if (c === '`') {
      return { ok: false, reason: 'a backquote (`) is command substitution' };
    } else if (c === '$') {
      const v = variableAt(body, i);
      const next = body[i + 1];
      if (v) {
        push(out, { variable: v.name });
        i += v.length - 1;
      } else if (next === '(' || next === '{' || next === '[') {
        return {
          ok: false,
          reason: `$${next} is a shell expansion that can run commands; only $NAME and \${NAME} are allowed`,
        };
      } else if (next !== undefined && /[0-9@*#?$!-]/.test(next)) {
        return { ok: false, reason: `$${next} is a special shell parameter` };
      } else push(out, { literal: '$' });
    } else push(out, { literal: c });
  }
  return { ok: true, segments: out };
}

/** Reads a rayStartParams value as written for KubeRay (see the file comment). */
export function parseShellValue(raw: string): ParsedValue {
  if (raw.length >= 2 && raw.startsWith("'") && raw.endsWith("'") && !raw.slice(1, -1).includes("'")) {
    return { ok: true, segments: [{ literal: raw.slice(1, -1) }] };
  }
  if (raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"')) return parseDoubleQuoted(raw.slice(1, -1));
  const out: Segment[] = [];
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    const v = c === '$' ? variableAt(raw, i) : undefined;
    if (c === '$' && raw[i + 1] === '$') {
      push(out, { literal: '$$' }); // bash's PID: never expanded, kept as written
      i++;
    } else if (v) {
      push(out, { variable: v.name });
      i += v.length - 1;
    } else push(out, { literal: c });
  }
  return { ok: true, segments: out };
}

/**
 * Characters bash gives a meaning outside quotes, in a value that is not wholly quoted: where
 * KubeRay's line would end the command, start another, redirect, substitute or split the word.
 * Returns a description of the first one, or undefined.
 */
export function unquotedShellSyntax(raw: string): string | undefined {
  if (raw.length >= 2 && raw.startsWith("'") && raw.endsWith("'") && !raw.slice(1, -1).includes("'")) return;
  if (raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"')) {
    const p = parseDoubleQuoted(raw.slice(1, -1));
    return p.ok ? undefined : p.reason;
  }
  const m = /[;&|<>`\n\r]|\$[({[]/.exec(raw.replace(/\$\([A-Za-z_][A-Za-z0-9_]*\)/g, ''));
  if (!m) return undefined;
  const what: Record<string, string> = {
    ';': '";" ends the command',
    '&': '"&" runs a command in the background or chains one',
    '|': '"|" pipes into another command',
    '<': '"<" redirects input',
    '>': '">" redirects output',
    '`': 'a backquote (`) is command substitution',
    '\n': 'a line break starts a new command',
    '\r': 'a carriage return is not allowed',
  };
  return what[m[0]] ?? `${m[0]} is a shell expansion that can run commands`;
}

// Characters that never need quoting in bash (POSIX "portable" plus a few inert ones).
const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One literal shell word: bare when that is unambiguous, else single-quoted. */
export function shellQuote(literal: string): string {
  if (SAFE.test(literal)) return literal;
  return `'${literal.replaceAll("'", `'\\''`)}'`;
}

/** A literal word of a container's args: quoted for bash, `$` doubled for the kubelet's $(VAR) expansion. */
export function argWord(literal: string): string {
  return shellQuote(literal).replaceAll('$', '$$$$');
}

/** One word of a container's args: literals quoted, variables in double quotes (no splitting, no globbing). */
export function shellWord(segments: readonly Segment[]): string {
  if (segments.length === 0) return "''";
  return segments
    .map((s, i) => {
      if ('literal' in s) return argWord(s.literal);
      const next = segments[i + 1];
      // "$NAME" reads like KubeRay's line; braces only where a following name character would join it.
      const braces = next !== undefined && 'literal' in next && /^[A-Za-z0-9_]/.test(next.literal);
      return braces ? `"\${${s.variable}}"` : `"$${s.variable}"`;
    })
    .join('');
}

/** The value `ray start` receives, when it involves no variable (undefined if it does). */
export function literalValue(raw: string): string | undefined {
  const p = parseShellValue(raw);
  if (!p.ok) return raw;
  let out = '';
  for (const s of p.segments) {
    if ('variable' in s) return undefined;
    out += s.literal;
  }
  return out;
}

/** A rayStartParams value as one safe shell word. */
export function valueWord(raw: string): string {
  const p = parseShellValue(raw);
  return shellWord(p.ok ? p.segments : [{ literal: raw }]);
}
