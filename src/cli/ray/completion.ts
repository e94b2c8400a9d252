// Shell completion. kubectl (1.26+) completes `kubectl ray …` by running `kubectl_complete-ray` from
// PATH with the words so far, and reads cobra's protocol back: one candidate per line (value, TAB,
// description), then `:<directive>` (4: no file completion). bin/kubectl_complete-ray and
// bin/kubectl_complete-kuray call `__complete` here; `completion bash|zsh|fish` prints a script for
// `kuray`/`kubectl-ray` used on their own. Candidates come from the command tree and, for names, from
// the cluster with the user's credentials (failures just mean no names). main.ts answers `__complete`
// before commander parses anything.
import type { Command, Option } from 'commander';
import { Namespaces, Pods, RayClusters, type KubeObject } from '../../runtime/resources.ts';
import type { RayClusterObject } from './common.ts';
import { Kube, type GlobalFlags } from './kube.ts';

export const directive = { default: 0, noFileComp: 4 } as const;

export interface Candidates {
  values: string[];
  directive: number;
}

/** Flags whose value is a path: the shell completes files for them. */
const pathFlags = new Set([
  '--file',
  '--filename',
  '-f',
  '--working-dir',
  '--runtime-env',
  '--out-dir',
  '--kubeconfig',
  '--certificate-authority',
  '--client-certificate',
  '--client-key',
  '--cache-dir',
]);

function optionOf(cmd: Command, flag: string): Option | undefined {
  for (let c: Command | null = cmd; c; c = c.parent) {
    const o = c.options.find((x) => x.long === flag || x.short === flag);
    if (o) return o;
  }
  return undefined;
}

function takesValue(o: Option): boolean {
  return o.required || o.optional;
}

/** Walks the words to the command they name; returns it, its positional words and the last flag waiting for a value. */
export function locate(
  root: Command,
  words: readonly string[],
): { cmd: Command; positionals: string[]; pendingFlag?: string; flags: Map<string, string> } {
  let cmd = root;
  const positionals: string[] = [];
  const flags = new Map<string, string>();
  let pending: string | undefined;
  for (const w of words) {
    if (pending) {
      flags.set(pending, w);
      pending = undefined;
      continue;
    }
    if (w.startsWith('-')) {
      const [name, inline] = w.split('=', 2) as [string, string | undefined];
      const o = optionOf(cmd, name);
      if (o && takesValue(o) && inline === undefined) pending = o.long ?? name;
      else if (o?.long) flags.set(o.long, inline ?? 'true');
      continue;
    }
    const sub = cmd.commands.find((c) => c.name() === w || c.aliases().includes(w));
    if (sub && positionals.length === 0) cmd = sub;
    else positionals.push(w);
  }
  return { cmd, positionals, ...(pending ? { pendingFlag: pending } : {}), flags };
}

function globalFlags(flags: Map<string, string>): GlobalFlags {
  const g: GlobalFlags = {};
  const kubeconfig = flags.get('--kubeconfig');
  const context = flags.get('--context');
  const namespace = flags.get('--namespace');
  if (kubeconfig) g.kubeconfig = kubeconfig;
  if (context) g.context = context;
  if (namespace) g.namespace = namespace;
  return g;
}

async function names(
  flags: Map<string, string>,
  what: 'clusters' | 'namespaces' | 'nodes' | 'groups',
  cluster?: string,
): Promise<string[]> {
  let kube: Kube | undefined;
  try {
    kube = new Kube(globalFlags(flags));
    if (what === 'namespaces')
      return (await kube.client.list<KubeObject>(Namespaces)).items.map((n) => n.metadata.name ?? '');
    if (what === 'nodes')
      return (
        await kube.client.list<KubeObject>(Pods, kube.namespace, {
          labelSelector: `ray.io/is-ray-node=yes${cluster ? `,ray.io/cluster=${cluster}` : ''}`,
        })
      ).items.map((p) => p.metadata.name ?? '');
    const clusters = (await kube.client.list<RayClusterObject>(RayClusters, kube.namespace)).items;
    if (what === 'clusters') return clusters.map((c) => c.metadata.name ?? '');
    return clusters
      .filter((c) => !cluster || c.metadata.name === cluster)
      .flatMap((c) => (c.spec.workerGroupSpecs ?? []).map((g) => g.groupName));
  } catch {
    return [];
  } finally {
    kube?.close();
  }
}

const fixedValues: Record<string, string[]> = {
  '--node-type': [
    'all\tdownload logs from all Ray nodes',
    'head\tdownload logs from head Ray nodes',
    'worker\tdownload logs from worker Ray nodes',
  ],
  '--output': ['yaml', 'json'],
  '--autoscaler': ['v1', 'v2'],
  '--link': ['gke'],
};

/** The candidates for `words` (the last one is being typed). */
export async function complete(root: Command, words: readonly string[]): Promise<Candidates> {
  const typing = words.at(-1) ?? '';
  const { cmd, positionals, pendingFlag, flags } = locate(root, words.slice(0, -1));
  const filter = (vs: string[]) => vs.filter((v) => v.startsWith(typing));
  if (pendingFlag) {
    if (pathFlags.has(pendingFlag)) return { values: [], directive: directive.default };
    if (fixedValues[pendingFlag])
      return { values: filter(fixedValues[pendingFlag]), directive: directive.noFileComp };
    if (pendingFlag === '--namespace')
      return { values: filter(await names(flags, 'namespaces')), directive: directive.noFileComp };
    if (pendingFlag === '--ray-cluster')
      return { values: filter(await names(flags, 'clusters')), directive: directive.noFileComp };
    if (pendingFlag === '--worker-group')
      return {
        values: filter(await names(flags, 'groups', positionals[0])),
        directive: directive.noFileComp,
      };
    return { values: [], directive: directive.noFileComp };
  }
  if (typing.startsWith('-')) {
    const opts: string[] = [];
    for (let c: Command | null = cmd; c; c = c.parent)
      for (const o of c.options) if (o.long) opts.push(`${o.long}\t${o.description}`);
    return { values: filter(opts), directive: directive.noFileComp };
  }
  const subs = cmd.commands.filter((c) => c.name() !== '__complete');
  if (subs.length && positionals.length === 0)
    return {
      values: filter(subs.map((c) => `${c.name()}\t${c.description()}`)),
      directive: directive.noFileComp,
    };
  if (
    positionals.length > 0 &&
    cmd.registeredArguments.length <= positionals.length &&
    !cmd.registeredArguments.at(-1)?.variadic
  )
    return { values: [], directive: directive.noFileComp };
  const path = [] as string[];
  for (let c: Command = cmd; c.parent; c = c.parent) path.unshift(c.name());
  const at = path.join(' ');
  const wants: Record<string, 'clusters' | 'nodes' | 'groups'> = {
    'get cluster': 'clusters',
    'get node': 'nodes',
    'get workergroup': 'groups',
    'scale cluster': 'clusters',
    status: 'clusters',
    log: 'clusters',
    session: 'clusters',
    delete: 'clusters',
    'get token': 'clusters',
  };
  const kind = wants[at];
  if (!kind) return { values: [], directive: at === 'job submit' ? directive.default : directive.noFileComp };
  return {
    values: filter(await names(flags, kind, flags.get('--ray-cluster'))),
    directive: directive.noFileComp,
  };
}

export function completionScript(shell: string, prog: string): string {
  const bash = `# ${prog} completion for bash: source <(${prog} completion bash)
_${prog.replace(/\W/g, '_')}_complete() {
  local IFS=$'\\n' out directive cur="\${COMP_WORDS[COMP_CWORD]}"
  out=$("\${COMP_WORDS[0]}" __complete "\${COMP_WORDS[@]:1:$((COMP_CWORD-1))}" "$cur" 2>/dev/null) || return
  directive=\${out##*:}
  out=$(printf '%s\\n' "$out" | sed '$d' | cut -f1)
  COMPREPLY=( $(compgen -W "$out" -- "$cur") )
  if [ $(( directive & 4 )) -eq 0 ] && [ \${#COMPREPLY[@]} -eq 0 ]; then COMPREPLY=( $(compgen -f -- "$cur") ); fi
}
complete -F _${prog.replace(/\W/g, '_')}_complete ${prog}
`;
  if (shell === 'bash') return bash;
  if (shell === 'zsh')
    return `# ${prog} completion for zsh: source <(${prog} completion zsh)\nautoload -U +X bashcompinit && bashcompinit\n${bash}`;
  if (shell === 'fish')
    return `# ${prog} completion for fish: ${prog} completion fish | source
complete -c ${prog} -f -a '(${prog} __complete (commandline -opc)[2..-1] (commandline -ct) 2>/dev/null | string match -rv "^:" | string replace -r "\\t.*" "")'
`;
  throw new Error(`unsupported shell ${JSON.stringify(shell)}: use bash, zsh or fish`);
}

export function registerCompletion(root: Command, out: NodeJS.WritableStream = process.stdout): void {
  root
    .command('completion')
    .argument('<shell>', 'bash, zsh or fish')
    .description('Print a shell completion script (kubectl ray completes through kubectl_complete-ray)')
    .action((shell: string) => {
      out.write(completionScript(shell, root.name()));
    });
}
