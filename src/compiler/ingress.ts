// The dashboard Ingress of `headGroupSpec.enableIngress` (KubeRay's BuildIngressForHeadService):
// `<cluster>-head-ingress`, one rule to the head Service's dashboard port, labelled like the head
// Service. The cluster's annotations are copied onto it (how users configure their ingress
// controller, e.g. nginx rewrite-target), except `kubernetes.io/ingress.class`, which becomes
// spec.ingressClassName. `ingressOptions` sets host, path, pathType and TLS; without it the path is
// KubeRay's long-standing `/<cluster>/(.*)` (Exact), for controllers that rewrite by regex.
import type { Ingress } from './k8sTypes.ts';
import {
  APP_NAME,
  CREATED_BY,
  DEFAULT_DASHBOARD_PORT,
  LABEL_APP_CREATED_BY,
  LABEL_APP_NAME,
  LABEL_CLUSTER,
  LABEL_IDENTIFIER,
  PORT_DASHBOARD,
} from './constants.ts';
import type { ClusterContext } from './context.ts';
import { identifier } from './labels.ts';
import { checkName } from './names.ts';
import { headServicePorts } from './services.ts';

export const INGRESS_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

export function ingressName(cluster: string): string {
  return checkName(`${cluster}-head-ingress`);
}

/** The Ingress, or undefined unless enableIngress is true. `headServiceName` is the head Service's name. */
export function buildIngress(ctx: ClusterContext, headServiceName: string): Ingress | undefined {
  const { rc } = ctx;
  const head = rc.spec.headGroupSpec;
  if (head.enableIngress !== true) return undefined;
  const opts = head.ingressOptions;
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(rc.metadata?.annotations ?? {}))
    if (k !== INGRESS_CLASS_ANNOTATION) annotations[k] = v;
  const ingressClassName = rc.metadata?.annotations?.[INGRESS_CLASS_ANNOTATION];
  const port = new Map(headServicePorts(rc)).get(PORT_DASHBOARD) ?? DEFAULT_DASHBOARD_PORT;
  const path = opts ? (opts.path ?? '/') : `/${ctx.name}/(.*)`;
  const pathType = opts ? (opts.pathType ?? 'Prefix') : 'Exact';
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name: ingressName(ctx.name),
      namespace: ctx.namespace,
      labels: {
        [LABEL_CLUSTER]: ctx.name,
        [LABEL_IDENTIFIER]: identifier(ctx.name, 'head'),
        [LABEL_APP_NAME]: APP_NAME,
        [LABEL_APP_CREATED_BY]: CREATED_BY,
      },
      ...(Object.keys(annotations).length ? { annotations } : {}),
      ownerReferences: [ctx.ownerReference],
    },
    spec: {
      ...(ingressClassName ? { ingressClassName } : {}),
      rules: [
        {
          ...(opts?.host ? { host: opts.host } : {}),
          http: {
            paths: [
              { path, pathType, backend: { service: { name: headServiceName, port: { number: port } } } },
            ],
          },
        },
      ],
      ...(opts?.tls?.length ? { tls: opts.tls } : {}),
    },
  };
}
