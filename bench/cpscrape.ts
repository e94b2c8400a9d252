// Scrapes the rig's kube-apiserver and kube-scheduler /metrics (admin client certificate; the
// scheduler serves a self-signed certificate from its --cert-dir and authorizes the admin through
// the API server) and samples the scheduler's pending-pods gauge while a scenario runs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { layout } from '../rig/components.ts';
import type { Rig } from '../rig/harness.ts';
import { get, type Tls } from '../rig/http.ts';
import { apiserverSnapshot, schedulerSnapshot, type Counts, type CpSnapshot } from './cpmetrics.ts';

export class ControlPlaneScraper {
  readonly #rig: Rig;
  readonly #tls: Tls;
  constructor(rig: Rig) {
    const l = layout(rig.dir);
    this.#rig = rig;
    this.#tls = {
      ca: readFileSync(l.ca, 'utf8'),
      cert: readFileSync(join(l.pki, 'admin.crt'), 'utf8'),
      key: readFileSync(join(l.pki, 'admin.key'), 'utf8'),
    };
  }

  async #text(url: string, tls: Tls): Promise<string> {
    const r = await get(url, tls, 10_000);
    if (r.status !== 200) throw new Error(`bench: GET ${url}: HTTP ${r.status}: ${r.body.slice(0, 200)}`);
    return r.body;
  }

  async scheduler(): Promise<ReturnType<typeof schedulerSnapshot>> {
    const url = `https://127.0.0.1:${this.#rig.ports().scheduler}/metrics`;
    return schedulerSnapshot(await this.#text(url, { ...this.#tls, insecure: true }));
  }

  async snapshot(): Promise<CpSnapshot> {
    const [api, sched] = await Promise.all([
      this.#text(`${this.#rig.server}/metrics`, this.#tls).then(apiserverSnapshot),
      this.scheduler(),
    ]);
    return { ...api, ...sched };
  }

  /**
   * Samples scheduler_pending_pods every `everyMs` until stop() (bounded by `maxSamples`): how many
   * pods wait in which queue while a subject creates them.
   */
  sample(everyMs = 500, maxSamples = 2000): { stop: () => Promise<{ t: number; pending: Counts }[]> } {
    const out: { t: number; pending: Counts }[] = [];
    const t0 = Date.now();
    let running = true;
    const loop = (async () => {
      for (let i = 0; running && i < maxSamples; i++) {
        try {
          out.push({ t: (Date.now() - t0) / 1000, pending: (await this.scheduler()).schedulerPending });
        } catch {
          // a missed sample is a gap in the series, not a failed run
        }
        await sleep(everyMs);
      }
    })();
    return {
      stop: async () => {
        running = false;
        await loop;
        return out;
      },
    };
  }
}
