// What the console's browser tests and its benchmark share: the frontend built once per process,
// Debian's Chromium driven by playwright-core (no browser download: `npx playwright install` cannot
// work here), and a console started on loopback for a given client.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { consoleStaticDir } from '../cli/commands/console.ts';
import type { KubeClient } from '../runtime/transport.ts';
import { startConsole, type RunningConsole } from './server.ts';

const root = join(import.meta.dirname, '..', '..');
let built = false;

/** `npm run build:console` (about a second), once per process, so tests never serve a stale build. */
export function buildConsole(): void {
  if (built) return;
  const r = spawnSync(
    process.execPath,
    [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '-c', 'src/console/web/vite.config.ts'],
    { cwd: root, encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`vite build failed:\n${r.stdout}\n${r.stderr}`);
  built = true;
}

export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Headless /usr/bin/chromium with a new empty profile. Without the background-networking flags
 * Chromium dials Google's services at start, which this machine's closed network refuses.
 */
export async function launchBrowser(): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'kuray-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.KURAY_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A console for `client` on 127.0.0.1:<any port>, the frontend built first. */
export function consoleFor(
  client: KubeClient,
  identity: { context: string; user: string; defaultNamespace: string; server?: string },
  namespaces?: string[],
): Promise<RunningConsole> {
  buildConsole();
  return startConsole({
    client,
    identity: { server: '', ...identity },
    staticDir: consoleStaticDir,
    port: 0,
    ...(namespaces ? { namespaces } : {}),
  });
}
