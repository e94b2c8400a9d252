// `kuray console`: the web console on http://127.0.0.1:8266, acting with the user's own kubeconfig
// identity (the kubectl connection flags, as `kubectl ray` takes them): it never shows or does more
// than that identity's RBAC allows. Stops on Ctrl-C.
import { join, sep } from 'node:path';
import type { Command } from 'commander';
import { startConsole } from '../../console/server.ts';
import { addGlobalFlags, Kube, type GlobalFlags } from '../ray/kube.ts';

/** Where `npm run build:console` writes the frontend: <repo>/dist/console, from src/ or dist/src/. */
const repoRoot = join(
  import.meta.dirname,
  ...(import.meta.dirname.includes(`${sep}dist${sep}src${sep}`) ? ['..'] : []),
  '..',
  '..',
  '..',
);
export const consoleStaticDir = join(repoRoot, 'dist', 'console');

export function register(program: Command): void {
  addGlobalFlags(
    program
      .command('console')
      .description(
        'serve the web console on loopback, acting as your kubeconfig identity (never more than your RBAC)',
      )
      .option('--address <ip>', 'address to listen on (loopback unless you know why not)', '127.0.0.1')
      .option('--port <port>', 'port to listen on (0 = any free port)', '8266'),
  ).action(async (_opts: unknown, cmd: Command) => {
    // The kubectl flags may be taken by the root command (kubectl ray's globals): read both.
    const opts = cmd.optsWithGlobals<GlobalFlags & { address: string; port: string }>();
    let kube: Kube;
    try {
      kube = new Kube(opts);
    } catch (e) {
      process.stderr.write(`kuray console: ${(e as Error).message}\n`);
      process.exitCode = 1;
      return;
    }
    const kc = kube.kubeconfig;
    if (!/^127\.|^::1$|^localhost$/.test(opts.address))
      process.stderr.write(
        `kuray console: warning: listening on ${opts.address}: anyone who can reach it and has the URL's token acts as you\n`,
      );
    let running;
    try {
      running = await startConsole({
        client: kube.client,
        identity: {
          context: kc.getCurrentContext(),
          user: kc.getCurrentUser()?.name ?? '',
          server: kc.getCurrentCluster()?.server ?? '',
          defaultNamespace: kube.namespace,
        },
        namespaces: opts.namespace === undefined ? undefined : [opts.namespace],
        staticDir: consoleStaticDir,
        host: opts.address,
        port: Number(opts.port),
      });
    } catch (e) {
      process.stderr.write(
        `kuray console: cannot start against ${kc.getCurrentCluster()?.server ?? 'the API server'}: ${(e as Error).message}\n`,
      );
      kube.close();
      process.exitCode = 1;
      return;
    }
    process.stdout.write(`Kuray console: open ${running.url}\n`);
    const stop = () => {
      void running.close().then(() => {
        kube.close();
        process.exit(0);
      });
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
