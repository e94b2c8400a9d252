// `kuray` command line, also installed as the kubectl plugins `kubectl-ray` and `kubectl-kuray`
// (bin/). Each command lives in ./commands/<name>.ts or ./ray/ (the plugin's) and registers itself.
import { Command } from 'commander';
import { register as registerValidate } from './commands/validate.ts';
import { register as registerRender } from './commands/render.ts';
import { register as registerOperator } from './commands/operator.ts';
import { register as registerConsole } from './commands/console.ts';
import { complete, programName, registerRay } from './ray/index.ts';

const program = new Command(programName(process.env.KURAY_PROGRAM ?? process.argv[1]))
  .description('Kuray: a KubeRay-compatible operator for Ray clusters, and its kubectl plugin')
  .showHelpAfterError();

registerValidate(program);
registerRender(program);
registerOperator(program);
registerConsole(program);
registerRay(program);

// Shell completion reads the words raw: commander would take `-n` and the like as its own options.
if (process.argv[2] === '__complete') {
  const c = await complete(program, process.argv.slice(3).length ? process.argv.slice(3) : ['']);
  process.stdout.write(c.values.map((v) => v + '\n').join('') + `:${c.directive}\n`);
} else await program.parseAsync(process.argv);
