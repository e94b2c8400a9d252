// The gated RayCluster features with their gate off and on, with KubeRay's own samples (the same
// files the rig's integration tests apply): off, the operator refuses them, naming the field and
// the flag and chart value that turn the gate on; on, they are valid.
import { kuberaySample } from '../../testing/kuberaySamples.ts';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { validate } from './index.ts';
import type { FeatureGate } from './features.ts';

const cases: { gate: FeatureGate; field: string; obj: () => unknown }[] = [
  {
    gate: 'GCSFaultToleranceEmbeddedStorage',
    field: 'spec.gcsFaultToleranceOptions.backend',
    obj: () => kuberaySample('ray-cluster.embedded-gcs-ft.yaml'),
  },
  {
    gate: 'RayClusterHistoryServer',
    field: 'spec.historyServerOptions',
    obj: () => kuberaySample('ray-cluster.historyserver.yaml'),
  },
  { gate: 'RayClusterMTLS', field: 'spec.tlsOptions', obj: () => kuberaySample('ray-cluster.mtls.yaml') },
  {
    gate: 'RayClusterNetworkPolicy',
    field: 'spec.networkPolicy',
    obj: () => kuberaySample('ray-cluster.network-policy-deny-all.yaml'),
  },
];

describe('gated RayCluster features', () => {
  for (const c of cases) {
    test(`${c.gate} off: ${c.field} is refused, naming the flag and the chart value`, () => {
      const r = validate(c.obj());
      const issue = r.errors.find((e) => e.path === c.field);
      assert.ok(issue, `expected an error at ${c.field}, got ${JSON.stringify(r.errors)}`);
      const text = JSON.stringify(issue);
      assert.match(text, new RegExp(`--feature-gates=${c.gate}=true`));
      assert.match(text, new RegExp(`featureGates: \\[\\{name: ${c.gate}, enabled: true\\}\\]`));
    });
    test(`${c.gate} on: the sample is valid`, () => {
      const r = validate(c.obj(), { featureGates: { [c.gate]: true } });
      assert.deepEqual(r.errors, []);
    });
  }
});
