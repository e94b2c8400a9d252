// `kuray` command line. Each command lives in ./commands/<name>.ts and registers itself.
import { Command } from 'commander';
import { register as registerValidate } from './commands/validate.ts';
import { register as registerRender } from './commands/render.ts';
import { register as registerOperator } from './commands/operator.ts';

const program = new Command('kuray')
  .description('Kuray: a KubeRay-compatible operator for Ray clusters')
  .showHelpAfterError();

registerValidate(program);
registerRender(program);
registerOperator(program);

await program.parseAsync(process.argv);
