// The no-Helm install (config/manager) and the samples, checked without a cluster: the Deployment's
// flags through the operator's own parser, its hardening, and the samples through `kuray validate`.
import { describe, test } from 'node:test';
import { parseAddress } from '../runtime/health.ts';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateAll } from '../api/validation/index.ts';
import { deploymentOptions, parseOperatorArgs, podSpecOf } from './deployment.ts';
import { findManifest, parseManifests, readManifestDir, repoRoot } from './manifests.ts';

describe('parseOperatorArgs', () => {
  test('--flag=value and --flag value', () => {
    assert.deepEqual(parseOperatorArgs(['operator', '--qps=5', '--burst', '9']), { qps: '5', burst: '9' });
  });
  test('unknown flags, missing values and a missing command are errors', () => {
    assert.throws(() => parseOperatorArgs(['operator', '--enable-metrics=true']), /no flag --enable-metrics/);
    assert.throws(() => parseOperatorArgs(['operator', '--qps']), /--qps has no value/);
    assert.throws(() => parseOperatorArgs(['--qps=1']), /"operator" command/);
  });
});

interface HardenedContainer {
  securityContext: {
    readOnlyRootFilesystem: boolean;
    runAsNonRoot: boolean;
    allowPrivilegeEscalation: boolean;
    capabilities: { drop: string[] };
  };
  livenessProbe: { httpGet: { path: string } };
  readinessProbe: { httpGet: { path: string } };
  ports: { containerPort: number }[];
  resources: { limits: { memory?: string }; requests: { cpu?: string } };
}

describe('config/manager', () => {
  const objs = readManifestDir(join(repoRoot, 'config', 'manager'));
  const dep = findManifest(objs, 'Deployment', { name: 'kuberay-operator' });

  test('the operator listens beyond loopback in a pod, elects a leader in its own namespace', () => {
    const o = deploymentOptions(dep);
    // `:8080` would mean 127.0.0.1 here (not Go's all-interfaces): kubelet probes and Prometheus
    // reach the pod IP, so the pod must listen on every interface.
    assert.equal(parseAddress(o.metricsAddr).host, '0.0.0.0');
    assert.equal(o.enableLeaderElection, true);
    assert.equal(o.leaderElectionNamespace, 'ray-system');
    assert.deepEqual(o.watchNamespaces, []);
  });

  test('hardened pod: non-root, read-only root, no capabilities, probes on /healthz and /readyz', () => {
    const spec = podSpecOf(dep);
    assert.equal(spec.serviceAccountName, 'kuberay-operator');
    const c = spec.containers[0]! as unknown as HardenedContainer;
    assert.equal(c.securityContext.readOnlyRootFilesystem, true);
    assert.equal(c.securityContext.runAsNonRoot, true);
    assert.equal(c.securityContext.allowPrivilegeEscalation, false);
    assert.deepEqual(c.securityContext.capabilities.drop, ['ALL']);
    assert.equal(c.livenessProbe.httpGet.path, '/healthz');
    assert.equal(c.readinessProbe.httpGet.path, '/readyz');
    assert.equal(c.ports[0]?.containerPort, 8080);
    assert.ok(c.resources.limits.memory && c.resources.requests.cpu);
  });

  test('the guide selects the operator by app.kubernetes.io/name=kuberay-operator', () => {
    const d = dep as unknown as {
      spec: {
        selector: { matchLabels: Record<string, string> };
        template: { metadata: { labels: Record<string, string> } };
      };
    };
    assert.equal(d.spec.template.metadata.labels['app.kubernetes.io/name'], 'kuberay-operator');
    for (const [k, v] of Object.entries(d.spec.selector.matchLabels))
      assert.equal(d.spec.template.metadata.labels[k], v);
    const svc = findManifest(objs, 'Service') as unknown as { spec: { selector: Record<string, string> } };
    assert.deepEqual(svc.spec.selector, d.spec.selector.matchLabels);
    const pdb = findManifest(objs, 'PodDisruptionBudget') as unknown as {
      spec: { selector: { matchLabels: Record<string, string> } };
    };
    assert.deepEqual(pdb.spec.selector.matchLabels, d.spec.selector.matchLabels);
  });
});

describe('config/samples', () => {
  for (const f of ['ray-cluster.basic.yaml', 'ray-cluster.gpu.yaml', 'ray-cluster.autoscaler.yaml']) {
    test(`${f}: a RayCluster with no validation error or warning`, () => {
      const objs = parseManifests(readFileSync(join(repoRoot, 'config', 'samples', f), 'utf8'), f);
      assert.equal(objs.length, 1);
      assert.equal(objs[0]!.kind, 'RayCluster');
      const [r] = validateAll(objs);
      assert.deepEqual(r!.errors, []);
      assert.deepEqual(r!.warnings, []);
    });
  }
  test('ray-job.sample.yaml: a RayJob and its ConfigMap, with no validation error or warning', () => {
    const f = 'ray-job.sample.yaml';
    const objs = parseManifests(readFileSync(join(repoRoot, 'config', 'samples', f), 'utf8'), f);
    assert.deepEqual(
      objs.map((o) => o.kind),
      ['RayJob', 'ConfigMap'],
    );
    for (const r of validateAll(objs)) {
      assert.deepEqual(r.errors, []);
      assert.deepEqual(r.warnings, []);
    }
  });
  test('ray-cronjob.sample.yaml: a RayCronJob valid with its gate on, warned with the flag named without it', () => {
    const f = 'ray-cronjob.sample.yaml';
    const objs = parseManifests(readFileSync(join(repoRoot, 'config', 'samples', f), 'utf8'), f);
    assert.deepEqual(
      objs.map((o) => o.kind),
      ['RayCronJob'],
    );
    const [on] = validateAll(objs, { featureGates: { RayCronJob: true } });
    assert.deepEqual(on!.errors, []);
    assert.deepEqual(on!.warnings, []);
    const [off] = validateAll(objs);
    assert.deepEqual(off!.errors, []);
    assert.match(
      off!.warnings.map((e) => `${e.message} ${e.hint}`).join('\n'),
      /--feature-gates=RayCronJob=true/,
    );
  });
  test('ray-service.sample.yaml: a RayService and the ConfigMap of its apps (rig/ray/apps/kuray_demo.py, the tests’ own), valid', () => {
    const f = 'ray-service.sample.yaml';
    const objs = parseManifests(readFileSync(join(repoRoot, 'config', 'samples', f), 'utf8'), f);
    assert.deepEqual(
      objs.map((o) => o.kind),
      ['RayService', 'ConfigMap'],
    );
    for (const r of validateAll(objs)) {
      assert.deepEqual(r.errors, []);
      assert.deepEqual(r.warnings, []);
    }
    const cm = objs[1] as unknown as { data: Record<string, string> };
    assert.equal(
      cm.data['kuray_demo.py'],
      readFileSync(join(repoRoot, 'rig', 'ray', 'apps', 'kuray_demo.py'), 'utf8'),
      'the sample ConfigMap must hold rig/ray/apps/kuray_demo.py verbatim (regenerate it from the file)',
    );
  });
});
