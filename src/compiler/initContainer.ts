// The worker's wait-gcs-ready init container (KubeRay v1.7.0): the Ray image loops on
// `ray health-check` against the head until the GCS answers, quietly for the first 120 s.
import { clone } from './clone.ts';
import type { Container } from './k8sTypes.ts';
import { WAIT_GCS_READY_CONTAINER } from './constants.ts';
import { valueWord } from '../util/shell.ts';

// KubeRay's script, including its indentation (it is a Go raw string with tabs). The address holds
// the head's rayStartParams `port` as written: one quoted word, as on the `ray start` line.
function waitScript(rawAddress: string): string {
  const address = valueWord(rawAddress);
  const t = (n: number) => '\t'.repeat(n);
  return [
    '',
    `${t(5)}SECONDS=0`,
    `${t(5)}while true; do`,
    `${t(6)}if (( SECONDS <= 120 )); then`,
    `${t(7)}if ray health-check --address ${address} > /dev/null 2>&1; then`,
    `${t(8)}echo "GCS is ready."`,
    `${t(8)}break`,
    `${t(7)}fi`,
    `${t(7)}echo "$SECONDS seconds elapsed: Waiting for GCS to be ready."`,
    `${t(6)}else`,
    `${t(7)}if ray health-check --address ${address}; then`,
    `${t(8)}echo "GCS is ready. Any error messages above can be safely ignored."`,
    `${t(8)}break`,
    `${t(7)}fi`,
    `${t(7)}echo "$SECONDS seconds elapsed: Still waiting for GCS to be ready. For troubleshooting, refer to the FAQ at https://docs.ray.io/en/master/cluster/kubernetes/troubleshooting.html."`,
    `${t(6)}fi`,
    `${t(6)}sleep 5`,
    `${t(5)}done`,
    t(4),
  ].join('\n');
}

/**
 * Built from the Ray container as the user wrote it: same image, pull policy and security context,
 * and its env and volume mounts (TLS settings may live there). Fixed small resources so a namespace
 * ResourceQuota admits it and GPU nodes are not needed for it.
 */
export function waitGcsReadyContainer(
  ray: Container,
  command: string[],
  fqdn: string,
  port: string,
): Container {
  const c: Container = {
    name: WAIT_GCS_READY_CONTAINER,
    image: ray.image,
    command,
    args: [waitScript(`${fqdn}:${port}`)],
    resources: {
      limits: { cpu: '200m', memory: '256Mi' },
      requests: { cpu: '200m', memory: '256Mi' },
    },
  };
  if (ray.imagePullPolicy !== undefined) c.imagePullPolicy = ray.imagePullPolicy;
  if (ray.securityContext !== undefined) c.securityContext = clone(ray.securityContext);
  if (ray.env !== undefined) c.env = clone(ray.env);
  if (ray.volumeMounts !== undefined) c.volumeMounts = clone(ray.volumeMounts);
  return c;
}
