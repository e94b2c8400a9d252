// `kubectl ray delete (RAYCLUSTER | TYPE/NAME)... [-y]`: asks first unless -y (KubeRay plugin v1.7).
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import {
  errorMessage,
  parseTypeName,
  resourceOf,
  stdio,
  withKube,
  type Io,
  type ResourceType,
} from './common.ts';
import type { Kube } from './kube.ts';

function ask(question: string, io: Io, input: NodeJS.ReadableStream): Promise<string | undefined> {
  io.out.write(question);
  return new Promise((resolve) => {
    const rl = createInterface({ input, terminal: false });
    let answered = false;
    rl.once('line', (l) => {
      answered = true;
      rl.close();
      resolve(l);
    });
    rl.once('close', () => {
      if (!answered) resolve(undefined);
    });
  });
}

async function deleteResources(
  kube: Kube,
  args: string[],
  yes: boolean,
  io: Io,
  input: NodeJS.ReadableStream,
) {
  const refs: { type: ResourceType; name: string }[] = args.map(parseTypeName);
  if (!yes) {
    const list = refs.map((r) => `\n- ${r.type}/${r.name}`).join('');
    const answer = await ask(
      `Are you sure you want to delete the following resources?${list}\n(y/yes/n/no)`,
      io,
      input,
    );
    if (answer === undefined)
      throw new Error('Failed to read user input: EOF (use -y to delete without asking)');
    const a = answer.trim().toLowerCase();
    if (a === 'n' || a === 'no') {
      io.out.write('Canceled deletion.\n');
      return;
    }
    if (a !== 'y' && a !== 'yes') {
      io.out.write(`Unknown input ${answer}\n`);
      return;
    }
  }
  for (const r of refs) {
    try {
      await kube.client.delete(resourceOf[r.type], kube.namespace, r.name);
    } catch (e) {
      throw new Error(`failed to delete ${r.type}/${r.name}: ${errorMessage(e)}`, { cause: e });
    }
    io.out.write(`Deleted ${r.type} ${r.name}\n`);
  }
}

export function registerDelete(
  parent: Command,
  io: Io = stdio,
  input: NodeJS.ReadableStream = process.stdin,
): void {
  parent
    .command('delete')
    .argument('<RESOURCE...>', 'RAYCLUSTER or TYPE/NAME (raycluster, rayjob, rayservice)')
    .description('Delete Ray resources (RayCluster, RayJob, RayService)')
    .option('-y, --yes', "answer 'yes' to all prompts and run non-interactively")
    .action(async (args: string[], f: { yes?: boolean }, cmd: Command) => {
      await withKube(cmd, (kube) => deleteResources(kube, args, f.yes === true, io, input), io);
    });
}
