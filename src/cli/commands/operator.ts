// `kuray operator`: runs the controller manager (in a cluster, the image's entry point).
import type { Command } from 'commander';
import { envName, FLAGS, OptionsError, resolveOptions } from '../../operator/options.ts';
import { runOperator } from '../../operator/run.ts';

export function register(program: Command): void {
  const cmd = program
    .command('operator')
    .description('run the Kuray operator (RayCluster controller) against the current kubeconfig');
  for (const f of FLAGS)
    cmd.option(`--${f.flag} <value>`, `${f.help} [env ${envName(f.flag)}] (default "${f.default}")`);
  cmd.action(async (_own: unknown, command: Command) => {
    // With globals: --kubeconfig is also the kubectl plugin's global flag, which commander gives the program.
    const raw = command.optsWithGlobals<Record<string, string | undefined>>();
    // commander camel-cases option names; map back to the flag names.
    const flags: Record<string, string | undefined> = {};
    for (const f of FLAGS)
      flags[f.flag] = raw[f.flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())];
    let opts;
    try {
      opts = resolveOptions(flags);
    } catch (err) {
      if (err instanceof OptionsError) {
        process.stderr.write(`kuray operator: ${err.message}\n`);
        process.exit(2);
      }
      throw err;
    }
    const mgr = await runOperator(opts);
    await mgr.done();
    await mgr.stop();
  });
}
