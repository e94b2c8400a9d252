// Placeholder until the render command lands; it is wired into main.ts so the CLI shape is fixed.
import type { Command } from 'commander';

export function register(program: Command): void {
  program.command('render').action(() => {
    throw new Error('kuray render: not implemented yet');
  });
}
