import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseYamlStream } from '../util/yaml.ts';
import { chartDir, findManifest, readManifestDir, repoRoot, rulesOf } from './manifests.ts';
import {
  missingPermissions,
  OPERATOR_PERMISSIONS,
  permissionsIn,
  ruleAllows,
  rulesAllow,
  type PolicyRule,
} from './permissions.ts';

const rbacDir = join(repoRoot, 'config', 'rbac');

/** The rules block of the chart's _helpers.tpl (plain YAML inside the define). */
function chartRules(): PolicyRule[] {
  const tpl = readFileSync(join(chartDir, 'templates', '_helpers.tpl'), 'utf8');
  const m = /\{\{- define "kuray-operator\.rules" -\}\}\n([\s\S]*?)\{\{- end -\}\}/.exec(tpl);
  assert.ok(m, '_helpers.tpl defines kuray-operator.rules');
  const doc = parseYamlStream(m[1]!)[0]!.value as { rules: PolicyRule[] };
  return doc.rules;
}

describe('rule matching (kube-apiserver RBAC semantics)', () => {
  test('exact group, resource and verb', () => {
    const r: PolicyRule = { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] };
    assert.ok(ruleAllows(r, '', 'pods', 'get'));
    assert.ok(!ruleAllows(r, '', 'pods', 'delete'));
    assert.ok(!ruleAllows(r, 'apps', 'pods', 'get'));
    assert.ok(!ruleAllows(r, '', 'services', 'get'));
  });

  test('a resource rule does not cover its subresources, "*/sub" covers every resource\'s', () => {
    assert.ok(
      !ruleAllows({ apiGroups: [''], resources: ['pods'], verbs: ['patch'] }, '', 'pods/resize', 'patch'),
    );
    assert.ok(
      ruleAllows({ apiGroups: [''], resources: ['*/resize'], verbs: ['patch'] }, '', 'pods/resize', 'patch'),
    );
    assert.ok(
      !ruleAllows({ apiGroups: [''], resources: ['*/resize'], verbs: ['patch'] }, '', 'pods', 'patch'),
    );
  });

  test('wildcards match anything; resourceNames only named requests', () => {
    const all: PolicyRule = { apiGroups: ['*'], resources: ['*'], verbs: ['*'] };
    fc.assert(fc.property(fc.string(), fc.string(), fc.string(), (g, r, v) => ruleAllows(all, g, r, v)));
    const named: PolicyRule = { apiGroups: [''], resources: ['pods'], verbs: ['get'], resourceNames: ['a'] };
    assert.ok(ruleAllows(named, '', 'pods', 'get', 'a'));
    assert.ok(!ruleAllows(named, '', 'pods', 'get', 'b'));
    assert.ok(!ruleAllows(named, '', 'pods', 'get'));
  });

  test('missingPermissions names each uncovered verb; the full list from no rules', () => {
    const total = OPERATOR_PERMISSIONS.reduce((n, p) => n + p.verbs.length, 0);
    assert.equal(missingPermissions([]).length, total);
    assert.ok(missingPermissions([]).includes('patch core/pods/resize'));
    assert.deepEqual(missingPermissions([{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]), []);
  });

  test('rules never allow what no rule lists (property: dropping a verb from a rule denies it)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...OPERATOR_PERMISSIONS), (p) => {
        const rules: PolicyRule[] = [
          { apiGroups: [p.group], resources: [p.resource], verbs: p.verbs.slice(1) },
        ];
        return !rulesAllow(rules, p.group, p.resource, p.verbs[0]!);
      }),
    );
  });
});

describe('config/rbac and the chart grant exactly what the operator needs', () => {
  const objs = readManifestDir(rbacDir);
  const namespaced = readManifestDir(join(rbacDir, 'namespaced'));

  test('the ClusterRole covers every watched-namespace permission', () => {
    const rules = rulesOf(findManifest(objs, 'ClusterRole', { name: 'kuberay-operator' }));
    assert.deepEqual(missingPermissions(rules, permissionsIn('watched')), []);
  });

  test('the leader-election Role covers the Lease and nothing else', () => {
    const rules = rulesOf(findManifest(objs, 'Role', { name: 'kuberay-operator-leader-election' }));
    assert.deepEqual(missingPermissions(rules, permissionsIn('leader-election')), []);
    assert.deepEqual(missingPermissions(rules, permissionsIn('watched')).length > 0, true);
    assert.deepEqual(
      rules.flatMap((r) => r.resources),
      ['leases'],
    );
  });

  test('the namespaced Role, the ClusterRole and the chart have the same rules', () => {
    const cluster = rulesOf(findManifest(objs, 'ClusterRole', { name: 'kuberay-operator' }));
    assert.deepEqual(rulesOf(findManifest(namespaced, 'Role')), cluster);
    assert.deepEqual(chartRules(), cluster);
  });

  test('no rule grants more than a listed permission (least privilege)', () => {
    const cluster = rulesOf(findManifest(objs, 'ClusterRole', { name: 'kuberay-operator' }));
    for (const r of cluster)
      for (const g of r.apiGroups ?? [])
        for (const res of r.resources ?? [])
          for (const v of r.verbs) {
            const listed = OPERATOR_PERMISSIONS.some(
              (p) => p.group === g && p.resource === res && p.verbs.includes(v),
            );
            assert.ok(listed, `${v} ${g || 'core'}/${res} is granted but not in OPERATOR_PERMISSIONS`);
          }
  });

  test("people's roles: viewers only read, editors manage their kind and nothing else", () => {
    for (const kind of ['rayclusters', 'rayjobs', 'rayservices', 'raycronjobs']) {
      const singular = kind.slice(0, -1);
      const viewer = rulesOf(findManifest(objs, 'ClusterRole', { name: `${singular}-viewer-role` }));
      const editor = rulesOf(findManifest(objs, 'ClusterRole', { name: `${singular}-editor-role` }));
      assert.ok(rulesAllow(viewer, 'ray.io', kind, 'list') && !rulesAllow(viewer, 'ray.io', kind, 'create'));
      assert.ok(rulesAllow(editor, 'ray.io', kind, 'create') && rulesAllow(editor, 'ray.io', kind, 'delete'));
      assert.ok(!rulesAllow(editor, 'ray.io', `${kind}/status`, 'patch'), "status is the operator's");
      assert.ok(!rulesAllow(editor, '', 'pods', 'create'));
    }
  });

  test('bindings point at the roles and at the operator ServiceAccount', () => {
    const sa = findManifest(objs, 'ServiceAccount');
    for (const kind of ['ClusterRoleBinding', 'RoleBinding']) {
      const b = findManifest(objs, kind) as unknown as {
        roleRef: { kind: string; name: string };
        subjects: { kind: string; name: string; namespace: string }[];
      };
      assert.deepEqual(b.subjects, [
        { kind: 'ServiceAccount', name: sa.metadata.name, namespace: sa.metadata.namespace },
      ]);
      const role = findManifest(objs, b.roleRef.kind, { name: b.roleRef.name });
      assert.equal(role.metadata.name, b.roleRef.name);
    }
  });
});
