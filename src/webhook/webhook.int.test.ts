// The admission webhook behind the real kube-apiserver, registered with the configurations the Helm
// chart renders (their rules, failurePolicy and timeouts; only the client address is changed to the
// test's loopback server, and the namespace selector narrowed to this test's namespaces because the
// rig is shared), serving a certificate the operator code generated, and driven by `kubectl apply`:
//   - each invalid kind of spec (src/testing/invalidSpecs.ts) is refused with its field path;
//   - every seed example's pitfalls come back as `Warning:` lines, exactly validate()'s warnings;
//   - defaulting (KubeRay's rayStartParams, --default-token-auth) lands in the stored object;
//   - an UPDATE of an object stored with errors is judged only on what it changes;
//   - serving-certificate renewal and CA rotation keep admission working;
//   - a dead webhook blocks nothing (failurePolicy Ignore).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBinaries } from '../../rig/build.ts';
import { kubeConfig, newNamespace, useRig, type Rig } from '../../rig/testing.ts';
import { validate } from '../api/validation/index.ts';
import { chartDir, parseManifests } from '../install/manifests.ts';
import { runToolOk } from '../install/exec.ts';
import { nopLogger } from '../runtime/log.ts';
import { Secrets, type KubeObject } from '../runtime/resources.ts';
import { KubeClient } from '../runtime/transport.ts';
import { rayCluster, withRayVersion, withWorkers } from '../testing/builders.ts';
import { invalidSpecs } from '../testing/invalidSpecs.ts';
import { SEED_EXAMPLES } from '../testing/seeds.ts';
import { until } from '../testing/wait.ts';
import { parseYamlStream, toYaml } from '../util/yaml.ts';
import { formatWarnings } from './admission.ts';
import { runWebhook, type RunningWebhook } from './run.ts';

type Json = Record<string, unknown>;

describe('admission webhook on the real API server', { timeout: 300_000 }, () => {
  let rig: Rig;
  let client: KubeClient;
  let webhook: RunningWebhook;
  let ns: string;
  let ns2: string;
  let opNs: string;
  let cfgName: string;
  let clock = new Date();
  const namespaces: string[] = [];

  /** The chart's two webhook configurations, pointed at `port` and limited to `selected`. */
  async function registration(port: number): Promise<Json[]> {
    const helm = (await ensureBinaries(['helm'])).helm;
    const out = await runToolOk(helm, ['template', 'kr', chartDir, '-n', opNs], {
      env: {
        PATH: process.env.PATH ?? '',
        HELM_CONFIG_HOME: rig.dir,
        HELM_CACHE_HOME: rig.dir,
        HELM_DATA_HOME: rig.dir,
      },
    });
    const cfgs = parseManifests(out, 'helm template').filter((m) => /WebhookConfiguration$/.test(m.kind));
    assert.equal(cfgs.length, 2, 'the chart registers a validating and a mutating configuration');
    return cfgs.map((c) => {
      const webhooks = (c as unknown as { webhooks: Json[] }).webhooks.map((w) => {
        const svc = (w.clientConfig as { service: { path: string } }).service;
        return {
          ...w,
          clientConfig: { url: `https://127.0.0.1:${port}${svc.path}` },
          namespaceSelector: {
            matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: namespaces }],
          },
        };
      });
      return { ...c, metadata: { name: cfgName }, webhooks };
    });
  }

  const apply = (obj: unknown, extra: string[] = []) =>
    rig.kubectl(['apply', ...extra, '-f', '-'], { input: toYaml(obj) });

  const inNs = (obj: Json, namespace: string, name?: string): Json => {
    const meta = { ...(obj.metadata as Json), namespace, ...(name ? { name } : {}) };
    return { ...obj, metadata: meta };
  };

  before(async () => {
    rig = await useRig();
    client = new KubeClient(kubeConfig(rig));
    ns = await newNamespace(rig, 'webhook');
    ns2 = await newNamespace(rig, 'webhook-old');
    opNs = await newNamespace(rig, 'webhook-op');
    namespaces.push(ns);
    cfgName = `kuray-webhook-${ns}`;
    webhook = await runWebhook(
      client,
      {
        address: '127.0.0.1:0',
        namespace: opNs,
        secret: 'kuray-webhook-cert',
        service: 'kuberay-operator-webhook',
        configuration: cfgName,
        hosts: ['127.0.0.1'],
        admission: { defaultTokenAuth: true },
        now: () => clock,
        resyncMs: 3_600_000,
      },
      nopLogger,
    );
    for (const cfg of await registration(webhook.port)) {
      const r = await rig.kubectl(['apply', '-f', '-'], { input: JSON.stringify(cfg) });
      assert.equal(r.code, 0, r.stderr);
    }
    // The operator trusts its CA in the configurations the chart created without one.
    await webhook.resync();
    await until(
      'the API server to call the webhook',
      async () => {
        const r = await apply(inNs(invalidSpecs[0]!.obj, ns, 'probe'), ['--dry-run=server']);
        return r.code !== 0 && r.stderr.includes('denied the request');
      },
      { timeoutMs: 30_000, intervalMs: 300 },
    );
  });

  after(async () => {
    await webhook?.stop();
    for (const kind of ['validatingwebhookconfiguration', 'mutatingwebhookconfiguration'])
      await rig?.kubectl(['delete', kind, cfgName, '--ignore-not-found']);
    client?.close();
  });

  it('refuses each invalid kind of spec through kubectl apply, naming the field path', async () => {
    for (const [i, c] of invalidSpecs.entries()) {
      const r = await apply(inNs(c.obj, ns, `bad-${i}`));
      assert.notEqual(r.code, 0, `${c.name}: kubectl apply succeeded`);
      if (JSON.stringify(c.obj).includes('null') && /NaN|finite/.test(c.message.source)) {
        // YAML's .nan/.inf cannot be sent as JSON at all: kubectl refuses before any server sees it.
        assert.match(r.stderr, /NaN|Inf|unsupported value/i, `${c.name}: ${r.stderr}`);
        continue;
      }
      if (c.apiserver) {
        assert.match(r.stderr, /strict decoding error/, `${c.name}: ${r.stderr}`);
        assert.ok(r.stderr.includes(c.apiserver), `${c.name}: no ${c.apiserver} in:\n${r.stderr}`);
        continue;
      }
      assert.match(
        r.stderr,
        /admission webhook "vraycluster\.kuray\.ray\.io" denied the request/,
        `${c.name}: ${r.stderr}`,
      );
      assert.ok(r.stderr.includes(`${c.path}: `), `${c.name}: no ${c.path} in:\n${r.stderr}`);
    }
  });

  it("prints every seed example's pitfalls as Warning: lines (validate()'s warnings, same text)", async () => {
    let warned = 0;
    for (const file of readdirSync(SEED_EXAMPLES)
      .filter((f) => f.endsWith('.yaml'))
      .sort()) {
      for (const doc of parseYamlStream(readFileSync(join(SEED_EXAMPLES, file), 'utf8'), file)) {
        const obj = doc.value as Json;
        if (obj.kind !== 'RayCluster') continue;
        const r = await apply(inNs(obj, ns), ['--dry-run=server']);
        assert.equal(r.code, 0, `${file}: ${r.stderr}`);
        const want = formatWarnings(validate(obj).warnings);
        assert.ok(want.length > 0, `${file} has pitfalls`);
        for (const w of want)
          assert.ok(r.stderr.includes(`Warning: ${w}`), `${file}: missing "Warning: ${w}" in\n${r.stderr}`);
        warned += want.length;
      }
    }
    assert.ok(warned >= 16);
  });

  it('writes the defaults into the stored object; token auth only for new clusters of Ray >= 2.52', async () => {
    const rc = rayCluster('defaulted', withWorkers(1), withRayVersion('2.58.0')) as unknown as Json;
    const spec = rc.spec as { workerGroupSpecs: Json[] };
    delete spec.workerGroupSpecs[0]!.rayStartParams;
    const r = await apply(inNs(rc, ns));
    assert.equal(r.code, 0, r.stderr);
    const got = JSON.parse(
      (await rig.kubectl(['get', 'raycluster', 'defaulted', '-n', ns, '-o', 'json'])).stdout,
    ) as {
      spec: { authOptions?: unknown; workerGroupSpecs: { rayStartParams?: unknown }[] };
    };
    assert.deepEqual(got.spec.authOptions, { mode: 'token' });
    assert.deepEqual(got.spec.workerGroupSpecs[0]!.rayStartParams, {});
  });

  it('judges an UPDATE by what it changes: a stored invalid object can still be scaled and deleted', async () => {
    // Stored where the webhook does not look (as if admitted before a rule existed)…
    const stale = inNs(
      {
        ...invalidSpecs.find((c) => c.name === 'negative group resource')!.obj,
        metadata: { name: 'stale', finalizers: ['example.com/hold'] },
      },
      ns2,
    );
    assert.equal((await apply(stale)).code, 0);
    // …then the webhook covers that namespace too.
    namespaces.push(ns2);
    for (const cfg of await registration(webhook.port))
      await rig.kubectl(['apply', '-f', '-'], { input: JSON.stringify(cfg) });
    await webhook.resync();
    const patch = (p: unknown) =>
      rig.kubectl(['patch', 'raycluster', 'stale', '-n', ns2, '--type=json', '-p', JSON.stringify(p)]);
    await until(
      'the webhook to cover the second namespace',
      async () =>
        (await patch([{ op: 'add', path: '/spec/workerGroupSpecs/0/rayStartParams/x;y', value: '1' }]))
          .code !== 0,
      { timeoutMs: 30_000, intervalMs: 300 },
    );
    const scaled = await patch([{ op: 'replace', path: '/spec/workerGroupSpecs/0/replicas', value: 2 }]);
    assert.equal(scaled.code, 0, scaled.stderr);
    assert.equal((await rig.kubectl(['delete', 'raycluster', 'stale', '-n', ns2, '--wait=false'])).code, 0);
    const released = await patch([{ op: 'remove', path: '/metadata/finalizers' }]);
    assert.equal(released.code, 0, released.stderr);
  });

  it('renews its serving certificate and rotates its CA without a gap in admission', async () => {
    const denied = async () => {
      const r = await apply(inNs(invalidSpecs[0]!.obj, ns, 'rotation'), ['--dry-run=server']);
      return r.stderr.includes('denied the request');
    };
    const first = webhook.servingCert;
    clock = new Date(Date.now() + 250 * 86_400_000); // past 2/3 of the serving certificate's year
    await webhook.resync();
    clock = new Date();
    assert.notEqual(webhook.servingCert, first, 'a new serving certificate is served');
    assert.ok(await denied(), 'the API server accepts it (same CA)');

    clock = new Date(Date.now() + 2500 * 86_400_000); // past 2/3 of the CA's ten years
    await webhook.resync();
    clock = new Date();
    const secret = await client.get<KubeObject & { data: Record<string, string> }>(
      Secrets,
      opNs,
      'kuray-webhook-cert',
    );
    assert.ok(secret.data['ca-previous.crt'], 'the previous CA is kept while replicas switch');
    const cfg = JSON.parse(
      (await rig.kubectl(['get', 'validatingwebhookconfiguration', cfgName, '-o', 'json'])).stdout,
    ) as {
      webhooks: { clientConfig: { caBundle: string } }[];
    };
    const bundle = Buffer.from(cfg.webhooks[0]!.clientConfig.caBundle, 'base64').toString();
    assert.equal(bundle.match(/BEGIN CERTIFICATE/g)?.length, 2, 'caBundle trusts the new and the old CA');
    await until('admission with the new CA', denied, { timeoutMs: 30_000, intervalMs: 300 });
  });

  it('a dead webhook blocks nothing: ray.io writes pass (Ignore), other kinds are never sent to it', async () => {
    await webhook.stop();
    const ok = await apply(inNs(rayCluster('while-down', withRayVersion('2.58.0')), ns));
    assert.equal(ok.code, 0, ok.stderr);
    const cm = await rig.kubectl(['create', 'configmap', 'unrelated', '-n', ns]);
    assert.equal(cm.code, 0, cm.stderr);
  });
});
