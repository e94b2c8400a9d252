// RayService checks: KubeRay v1.7.0 ValidateRayServiceMetadata/ValidateRayServiceSpec and
// ValidateClusterUpgradeOptions, plus a parse of serveConfigV2.
import { parseYamlStream } from '../../util/yaml.ts';
import type { RayServiceSpec } from '../v1/index.ts';
import { isAutoscaling, isObj } from './common.ts';
import { isPositiveGoDuration } from './cron.ts';
import { at, type Report } from './issue.ts';
import { dns1035Label } from './names.ts';
import { checkRayClusterSpec, type ClusterContext } from './raycluster.ts';
import { warnRayClusterSpec } from './raycluster-warnings.ts';

export const MAX_RAYSERVICE_NAME = 47;
const INITIALIZING_TIMEOUT = 'ray.io/initializing-timeout';

export function checkRayServiceAnnotations(annotations: Record<string, string>, r: Report): void {
  const v = annotations[INITIALIZING_TIMEOUT];
  if (v === undefined || v === '') return;
  if (isPositiveGoDuration(v) || (/^\d+$/.test(v) && Number(v) > 0)) return;
  r.error(
    `metadata.annotations[${JSON.stringify(INITIALIZING_TIMEOUT)}]`,
    `${JSON.stringify(v)} is neither a positive Go duration nor a positive number of seconds`,
    'use e.g. "10m", "1h" or "600"',
  );
}

export function checkRayServiceSpec(p: string, spec: RayServiceSpec, ctx: ClusterContext, r: Report): void {
  const cp = at(p, 'rayClusterConfig');
  const rc = spec.rayClusterConfig;
  if (rc.authOptions?.enableK8sTokenAuth === true) {
    r.error(
      `${cp}.authOptions.enableK8sTokenAuth`,
      'Kubernetes token auth is not supported for RayService',
      'remove enableK8sTokenAuth',
    );
  }
  checkRayClusterSpec(
    cp,
    rc,
    { ...ctx, clusterName: ctx.clusterName === undefined ? undefined : `${ctx.clusterName}-xxxxx` },
    r,
  );
  warnRayClusterSpec(cp, rc, undefined, r);
  if ((rc.headGroupSpec.headService?.metadata?.name ?? '') !== '') {
    r.error(
      `${cp}.headGroupSpec.headService.metadata.name`,
      'the head service name must not be set in a RayService (each generation of its cluster needs its own)',
      'remove metadata.name; the RayService owns <name>-head-svc',
    );
  }
  const serveSvcName = spec.serveService?.metadata?.name;
  if (serveSvcName) {
    for (const m of dns1035Label(serveSvcName)) {
      r.error(
        `${p}.serveService.metadata.name`,
        `serve service name ${JSON.stringify(serveSvcName)} ${m}`,
        'use a DNS-1035 label, e.g. my-app-serve',
      );
    }
  }
  if (typeof spec.rayClusterDeletionDelaySeconds === 'number' && spec.rayClusterDeletionDelaySeconds < 0) {
    r.error(
      at(p, 'rayClusterDeletionDelaySeconds'),
      'rayClusterDeletionDelaySeconds must be non-negative',
      'use 0 or more seconds (default 60)',
    );
  }
  const us = spec.upgradeStrategy;
  if (us?.type === 'NewClusterWithIncrementalUpgrade') {
    const up = at(p, 'upgradeStrategy');
    if (!isAutoscaling(rc))
      r.error(
        at(up, 'type'),
        'NewClusterWithIncrementalUpgrade needs the Ray autoscaler',
        'set rayClusterConfig.enableInTreeAutoscaling: true',
      );
    const o = us.clusterUpgradeOptions;
    if (!o) {
      r.error(
        at(up, 'clusterUpgradeOptions'),
        'clusterUpgradeOptions are required for NewClusterWithIncrementalUpgrade',
        'set stepSizePercent, intervalSeconds and gatewayClassName',
      );
    } else {
      const op = at(up, 'clusterUpgradeOptions');
      const surge = o.maxSurgePercent ?? 100;
      if (surge < 0 || surge > 100)
        r.error(at(op, 'maxSurgePercent'), 'maxSurgePercent must be between 0 and 100', 'use a percentage');
      const step = o.stepSizePercent;
      if (typeof step !== 'number' || step < 0 || step > 100)
        r.error(at(op, 'stepSizePercent'), 'stepSizePercent must be between 0 and 100', 'use a percentage');
      else if (step > surge)
        r.error(
          at(op, 'stepSizePercent'),
          `stepSizePercent ${step} must be <= maxSurgePercent ${surge}`,
          'lower the step or raise maxSurgePercent',
        );
      if (typeof o.intervalSeconds !== 'number' || o.intervalSeconds <= 0)
        r.error(at(op, 'intervalSeconds'), 'intervalSeconds must be greater than 0', 'use e.g. 30');
      if (!o.gatewayClassName)
        r.error(
          at(op, 'gatewayClassName'),
          'gatewayClassName is required for NewClusterWithIncrementalUpgrade',
          'set the GatewayClass installed in the cluster',
        );
    }
  }
  if (typeof spec.serveConfigV2 === 'string' && spec.serveConfigV2.trim() !== '') {
    try {
      const docs = parseYamlStream(spec.serveConfigV2, 'serveConfigV2');
      const v = docs[0]?.value;
      if (!isObj(v) || !Array.isArray(v.applications)) {
        r.warn(
          at(p, 'serveConfigV2'),
          'serveConfigV2 has no applications list; Ray Serve deploys nothing',
          'write the multi-application config: applications: [{name, import_path, route_prefix, ...}]',
        );
      }
    } catch (e) {
      r.error(
        at(p, 'serveConfigV2'),
        `serveConfigV2 is not valid YAML: ${(e as Error).message}`,
        'fix the YAML (use a block scalar: serveConfigV2: |)',
      );
    }
  }
}
