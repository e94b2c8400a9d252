// Default liveness/readiness probes for the Ray container (KubeRay v1.7.0 initLivenessAndReadinessProbe),
// set only where the user left a probe unset. Ray ≥ 2.53 serves one HTTP endpoint on the dashboard
// agent; older Ray gets KubeRay's wget exec checks (raylet via the agent, plus GCS on the head).
import type { Container, Probe } from './k8sTypes.ts';
import {
  DEFAULT_DASHBOARD_AGENT_PORT,
  DEFAULT_DASHBOARD_PORT,
  DEFAULT_SERVE_PORT,
  PORT_SERVE,
  type CreatorKind,
  type NodeType,
} from './constants.ts';
import type { Params } from './rayStartParams.ts';

const wget = (timeout: number, port: number, path: string) =>
  `wget --tries 1 -T ${timeout} -q -O- http://localhost:${port}/${path} | grep success`;

/** version.ParseGeneric(v) ≥ 2.53.0; anything unparsable (or absent) is "older". */
export function supportsUnifiedHealthCheck(rayVersion: string | undefined): boolean {
  const m = /^v?([0-9]+)\.([0-9]+)(?:\.([0-9]+))?/.exec((rayVersion ?? '').trim());
  if (!m) return false;
  const [maj, min] = [Number(m[1]), Number(m[2])];
  return maj > 2 || (maj === 2 && min >= 53);
}

function portParam(params: Readonly<Params>, key: string, fallback: number): number {
  const v = params[key];
  if (v !== undefined && /^[+-]?[0-9]+$/.test(v)) {
    const n = Number(v);
    if (n >= -2147483648 && n <= 2147483647) return n;
  }
  return fallback;
}

function containerPort(c: Container, name: string, fallback: number): number {
  return c.ports?.find((p) => p.name === name)?.containerPort ?? fallback;
}

export function injectProbes(
  c: Container,
  nodeType: NodeType,
  creator: CreatorKind,
  params: Readonly<Params>,
  rayVersion: string | undefined,
): void {
  const agentPort = portParam(params, 'dashboard-agent-listen-port', DEFAULT_DASHBOARD_AGENT_PORT);
  const http = supportsUnifiedHealthCheck(rayVersion);
  // KubeRay's exact timeouts: 2 s for the raylet check; the GCS check uses the readiness failure
  // threshold (10) as its timeout.
  const commands = [wget(2, agentPort, 'api/local_raylet_healthz')];
  if (nodeType === 'head') {
    commands.push(wget(10, portParam(params, 'dashboard-port', DEFAULT_DASHBOARD_PORT), 'api/gcs_healthz'));
  }
  const action = (cmds: readonly string[]): Partial<Probe> =>
    http
      ? { httpGet: { path: '/api/healthz', port: agentPort } }
      : { exec: { command: ['bash', '-c', cmds.join(' && ')] } };
  const timeout = nodeType === 'head' ? 5 : 2;
  if (c.livenessProbe == null) {
    c.livenessProbe = {
      initialDelaySeconds: 30,
      timeoutSeconds: timeout,
      periodSeconds: 5,
      successThreshold: 1,
      failureThreshold: 120,
      ...action(commands),
    };
  }
  if (c.readinessProbe == null) {
    c.readinessProbe = {
      initialDelaySeconds: 10,
      timeoutSeconds: timeout,
      periodSeconds: 5,
      successThreshold: 1,
      failureThreshold: 10,
      ...action(commands),
    };
    // Serving workers are ready only when their Serve proxy is; the RayService controller drives the head.
    if (creator === 'RayService' && nodeType === 'worker') {
      const serve = wget(10, containerPort(c, PORT_SERVE, DEFAULT_SERVE_PORT), '-/healthz');
      const probe: Probe = {
        ...c.readinessProbe,
        failureThreshold: 1,
        exec: { command: ['bash', '-c', [...commands, serve].join(' && ')] },
      };
      delete probe.httpGet;
      c.readinessProbe = probe;
    }
  }
}
