// Placeholder until the validate command lands; it is wired into main.ts so the CLI shape is fixed.
import type { Command } from 'commander';

export function register(program: Command): void {
  program.command('validate').action(() => {
    throw new Error('kuray validate: not implemented yet');
  });
}
