// `npm run rig -- up|down|status|env|build [--profile P] [--name N]`
//   up      start a rig that outlives this command; prints `export KUBECONFIG=…`
//   down    stop it by PID (no process or port left) and remove its state
//   status  components, PIDs, ports (all rigs when the named one does not exist)
//   env     print the shell exports for a running rig
//   build   make sure the binaries the tests need are built (CI runs this first); --with-peer adds KubeRay
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { allBinaries, recipes, testBinaries } from './versions.ts';
import { buildDirOf, ensureBinaries, readStamp } from './build.ts';
import { attachRig, rigEnv, startRig } from './harness.ts';
import { groupAlive } from './proc.ts';
import { destroyNow, readState, rigRootDir, statePathOf, type RigState } from './state.ts';

function exportsOf(env: Record<string, string>): string {
  return ['KUBECONFIG', 'KURAY_RIG_STATE', 'KURAY_RIG_SERVER', 'KURAY_RIG_TOKEN', 'PATH']
    .map((k) => `export ${k}=${JSON.stringify(env[k] ?? '')}`)
    .join('\n');
}

function describe(s: RigState): string {
  const lines = [`rig ${s.name} (profile ${s.profile}) ${s.server}  state ${s.dir}`];
  const portOf: Record<string, number | string> = {
    etcd: `${s.ports.etcdClient} (peer ${s.ports.etcdPeer})`,
    'kube-apiserver': s.ports.apiserver,
    'kube-controller-manager': s.ports.controllerManager,
    'kube-scheduler': s.ports.scheduler,
    kwok: s.ports.kwok,
  };
  for (const [name, p] of Object.entries(s.processes)) {
    const state = groupAlive(p.pid) ? 'running' : 'DEAD';
    lines.push(
      `  ${name.padEnd(24)} pid ${String(p.pid).padEnd(8)} port ${String(portOf[name] ?? '-').padEnd(20)} ${state}`,
    );
  }
  return lines.join('\n');
}

const program = new Command('rig').description('Kuray rig: a real Kubernetes control plane on 127.0.0.1');
const nameOpt = ['--name <name>', 'rig name', 'dev'] as const;

program
  .command('up')
  .description('start a rig in the background and print its exports')
  .option('--profile <profile>', 'default | scale | none | path to a profile file', 'default')
  .option(...nameOpt)
  .option('--no-crds', 'do not install config/crd')
  .action(async (o: { profile: string; name: string; crds: boolean }) => {
    const rig = await startRig({
      name: o.name,
      profile: o.profile,
      detached: true,
      ...(o.crds ? {} : { crdDir: false }),
    });
    process.stdout.write(exportsOf(rig.env) + '\n');
    process.stderr.write(`# stop it with: npm run rig -- down --name ${o.name}\n`);
  });

program
  .command('down')
  .description('stop a rig and remove its state')
  .option(...nameOpt)
  .action(async (o: { name: string }) => {
    let s: RigState;
    try {
      s = readState(statePathOf(o.name));
    } catch {
      process.stderr.write(`rig: no rig named ${o.name} is running\n`);
      return;
    }
    try {
      await attachRig(statePathOf(o.name)).stop();
    } catch {
      destroyNow(s); // nothing alive: just remove the state
    }
    process.stderr.write(`rig: ${o.name} stopped\n`);
  });

program
  .command('status')
  .description('show components, PIDs and ports')
  .option('--name <name>', 'rig name (default: every rig)')
  .action((o: { name?: string }) => {
    const root = rigRootDir();
    const names = o.name
      ? [o.name]
      : readdirSync(root)
          .filter((n) => n.startsWith('kuray-rig-'))
          .map((n) => n.slice('kuray-rig-'.length));
    if (names.length === 0) process.stdout.write(`no rigs under ${root}\n`);
    for (const n of names) {
      try {
        process.stdout.write(describe(readState(join(root, `kuray-rig-${n}`, 'state.json'))) + '\n');
      } catch (e) {
        process.stdout.write(`${n}: ${(e as Error).message}\n`);
        process.exitCode = 1;
      }
    }
  });

program
  .command('env')
  .description('print shell exports for a running rig')
  .option(...nameOpt)
  .action((o: { name: string }) => {
    process.stdout.write(exportsOf(rigEnv(readState(statePathOf(o.name)))) + '\n');
  });

program
  .command('build')
  .description('build missing binaries into the cache (~/.cache/kuray/rig)')
  .option(
    '--with-peer',
    "also build KubeRay's operator, the benchmark peer (npm run bench builds it when missing)",
  )
  .action(async (o: { withPeer?: boolean }) => {
    const wanted = o.withPeer ? allBinaries : testBinaries;
    const paths = await ensureBinaries(wanted);
    for (const r of recipes) {
      if (!r.packages.some((p) => wanted.includes(p.binary))) continue;
      const st = readStamp(r);
      const what = st
        ? `built in ${st.seconds}s${st.peakRssKiB ? `, peak RSS ${Math.round(st.peakRssKiB / 1024)} MiB` : ''}`
        : 'from override';
      process.stdout.write(`${r.component.padEnd(5)} ${st?.version ?? ''} ${buildDirOf(r)} (${what})\n`);
    }
    for (const b of wanted) process.stdout.write(`  ${b.padEnd(24)} ${paths[b]}\n`);
  });

program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write((e instanceof Error ? e.message : String(e)) + '\n');
  process.exit(1);
});
