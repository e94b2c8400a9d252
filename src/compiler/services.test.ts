import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  numOfHosts,
  rayCluster,
  withAnnotations,
  withAutoscaling,
  withHead,
  withHeadPodSpec,
  withHeadPorts,
  withHeadServiceType,
  withHeadTemplateLabels,
  withWorkers,
} from '../testing/builders.ts';
import { compileCluster, defaultCompileOptions } from './index.ts';
import type { Service } from './k8sTypes.ts';

const kinds = (rc: Parameters<typeof compileCluster>[0]) =>
  compileCluster(rc).objects.map((o) => `${o.kind}/${o.metadata?.name}`);
const headSvc = (rc: Parameters<typeof compileCluster>[0]) =>
  compileCluster(rc).objects.find((o) => o.kind === 'Service') as Service;

test('head Service: headless, KubeRay default ports sorted by name, five-label selector', () => {
  const svc = headSvc(rayCluster('c'));
  assert.equal(svc.metadata?.name, 'c-head-svc');
  assert.equal(svc.spec?.clusterIP, 'None');
  assert.equal(svc.spec?.publishNotReadyAddresses, true);
  assert.deepEqual(
    svc.spec?.ports,
    [
      ['client', 10001],
      ['dashboard', 8265],
      ['gcs-server', 6379],
      ['metrics', 8080],
      ['serve', 8000],
    ].map(([name, port]) => ({ name, port, appProtocol: 'tcp' })),
  );
  assert.deepEqual(svc.spec?.selector, {
    'ray.io/cluster': 'c',
    'ray.io/node-type': 'head',
    'ray.io/identifier': 'c-head',
    'app.kubernetes.io/name': 'kuberay',
    'app.kubernetes.io/created-by': 'kuberay-operator',
  });
  assert.deepEqual(svc.metadata?.labels, svc.spec?.selector);
  assert.equal(svc.metadata?.ownerReferences?.[0]?.kind, 'RayCluster');
});

test('head Service ports come from the head container when it names any; unnamed → <port>-port; metrics added', () => {
  const svc = headSvc(
    rayCluster('c', withHeadPorts({ containerPort: 6379, name: 'gcs-server' }, { containerPort: 9999 })),
  );
  assert.deepEqual(
    svc.spec?.ports?.map((p) => [p.name, p.port]),
    [
      ['9999-port', 9999],
      ['gcs-server', 6379],
      ['metrics', 8080],
    ],
  );
});

test('head Service type: NodePort kept (not headless); ClusterIP option; template app name steers selector', () => {
  const np = headSvc(rayCluster('c', withHeadServiceType('NodePort')));
  assert.equal(np.spec?.type, 'NodePort');
  assert.equal(np.spec?.clusterIP, undefined);
  const cip = compileCluster(rayCluster('c'), { ...defaultCompileOptions, headClusterIPService: true })
    .objects[0] as Service;
  assert.equal(cip.spec?.clusterIP, undefined);
  const app = headSvc(rayCluster('c', withHeadTemplateLabels({ 'app.kubernetes.io/name': 'mine' })));
  assert.equal(app.spec?.selector?.['app.kubernetes.io/name'], 'mine');
});

test('a user headService is the base: its name, our selector and labels, ports appended', () => {
  const rc = rayCluster(
    'c',
    withHead((h) => ({
      ...h,
      headService: {
        metadata: { name: 'custom', labels: { a: 'b' } },
        spec: { selector: { x: 'y' }, ports: [{ name: 'extra', port: 1 }] },
      },
    })),
    (x) => ({ ...x, spec: { ...x.spec, headServiceAnnotations: { note: 'yes' } } }),
  );
  const svc = headSvc(rc);
  assert.equal(svc.metadata?.name, 'custom');
  assert.equal(svc.metadata?.labels?.a, 'b');
  assert.equal(svc.metadata?.annotations?.note, 'yes');
  assert.equal(svc.spec?.selector?.x, undefined);
  assert.equal(svc.spec?.ports?.[0]?.name, 'extra');
  assert.equal(svc.spec?.ports?.length, 6);
  // workers dial the custom name
  const worker = compileCluster(
    rayCluster('c', withWorkers(1), (x) => ({
      ...x,
      spec: { ...x.spec, headGroupSpec: rc.spec.headGroupSpec },
    })),
  ).workerPod('workers', 'w');
  assert.match(worker.spec!.containers[0]!.args![0]!, /--address=custom\.default\.svc\.cluster\.local:6379/);
});

test('serve Service only with the annotation; headless Service only for multi-host groups', () => {
  assert.deepEqual(kinds(rayCluster('c', withWorkers(1))), ['Service/c-head-svc']);
  const serve = compileCluster(
    rayCluster('c', withAnnotations({ 'ray.io/enable-serve-service': 'true' })),
  ).objects;
  const svc = serve.find((o) => o.metadata?.name === 'c-serve-svc') as Service;
  assert.deepEqual(svc.spec, { selector: { 'ray.io/cluster': 'c' }, ports: [{ name: 'serve', port: 8000 }] });
  assert.equal(svc.metadata?.labels?.['ray.io/serve'], 'c-serve');
  const multi = compileCluster(rayCluster('c', withWorkers(1, numOfHosts(2)))).objects;
  const headless = multi.find((o) => o.metadata?.name === 'c-headless') as Service;
  assert.deepEqual(headless.spec, {
    clusterIP: 'None',
    selector: { 'ray.io/cluster': 'c', 'ray.io/node-type': 'worker' },
    type: 'ClusterIP',
    publishNotReadyAddresses: true,
  });
});

test('autoscaling adds ServiceAccount, Role and RoleBinding named after the cluster, in reconcile order', () => {
  const rc = rayCluster('c', withAutoscaling());
  assert.deepEqual(kinds(rc), ['ServiceAccount/c', 'Role/c', 'RoleBinding/c', 'Service/c-head-svc']);
  const objs = compileCluster(rc).objects;
  const role = objs[1] as { rules: unknown[] };
  assert.deepEqual(role.rules, [
    { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'patch'] },
    { apiGroups: [''], resources: ['pods/resize'], verbs: ['patch'] },
    { apiGroups: ['ray.io'], resources: ['rayclusters'], verbs: ['get', 'patch'] },
  ]);
  const binding = objs[2] as { subjects: unknown[]; roleRef: unknown };
  assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: 'c', namespace: 'default' }]);
  assert.deepEqual(binding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'c' });
  // A user-named ServiceAccount is the user's to create; the binding points at it.
  const own = compileCluster(
    rayCluster('c', withAutoscaling(), withHeadPodSpec({ serviceAccountName: 'mine' })),
  );
  assert.deepEqual(
    own.objects.map((o) => o.kind),
    ['Role', 'RoleBinding', 'Service'],
  );
  assert.equal((own.objects[1] as { subjects: { name: string }[] }).subjects[0]?.name, 'mine');
  assert.equal(own.headPod('h').spec?.serviceAccountName, 'mine');
});
