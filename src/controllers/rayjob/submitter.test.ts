import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import type { RayJob } from '../../api/v1/index.ts';
import { expandVars } from '../../../rig/node/env.ts';
import { rayJob, inMode, withJobSpec, withJobStatus } from '../../testing/rayjobs.ts';
import { clusterForJob, submitScript, submitterJob, SUBMITTER_CONTAINER } from './submitter.ts';

const url = 'job-abcde-head-svc.ns.svc.cluster.local:8265';
const withIds = withJobStatus({ jobId: 'job-xyz12', dashboardURL: url, rayClusterName: 'job-abcde' });

/**
 * Runs a script as the kubelet and bash would ($(VAR)/$$ expansion, then `bash -ce`), with `ray` and
 * `python` replaced by functions that print their argv, one word per line.
 */
function runScript(script: string): string[] {
  // Output on fd 3, since the script sends `ray job status` to /dev/null; status answers "no such job".
  const stubs =
    'exec 3>&1; ray() { printf "ray" >&3; printf " <%s>" "$@" >&3; printf "\\n" >&3; [ "$2" != status ]; }; python() { return 0; }; sleep() { :; };';
  const out = execFileSync('/bin/bash', ['-ce', '--', `${stubs} ${expandVars(script, {})}`], {
    encoding: 'utf8',
    env: { PATH: '/usr/bin:/bin' },
  });
  return out.trim().split('\n');
}

describe('RayJob submitter', () => {
  it('K8sJobMode: waits for GCS, submits --no-wait once (status check first) with every option, then follows the logs', () => {
    const job = rayJob(
      'job',
      withIds,
      withJobSpec({
        entrypoint: 'python /home/ray/samples/sample_code.py --n 3',
        runtimeEnvYAML: 'env_vars:\n  counter_name: test_counter\n',
        metadata: { team: 'ml' },
        entrypointNumCpus: 1,
        entrypointResources: '{"custom": 1}',
      }),
    );
    const lines = runScript(submitScript(job, 'K8sJobMode', url));
    const addr = `<http://${url}>`;
    assert.deepEqual(lines, [
      `ray <job> <status> <--address> ${addr} <job-xyz12>`,
      `ray <job> <submit> <--address> ${addr} <--no-wait> <--runtime-env-json> <{"env_vars":{"counter_name":"test_counter"}}> <--metadata-json> <{"team":"ml"}> <--submission-id> <job-xyz12> <--entrypoint-num-cpus> <1.000000> <--entrypoint-resources> <{"custom": 1}> <--> <python> </home/ray/samples/sample_code.py> <--n> <3>`,
      `ray <job> <logs> <--address> ${addr} <--follow> <job-xyz12>`,
    ]);
  });

  it('no user field reaches the submitter shell: hostile values arrive as single words, nothing else runs', () => {
    const evil = `x'; touch /tmp/pwned-$(id -u); echo "$(whoami)" \`id\` $(VAR) $$ ; #`;
    const job = rayJob(
      'job',
      withJobStatus({ jobId: evil, dashboardURL: url }),
      withJobSpec({ entrypoint: evil, metadata: { k: evil }, entrypointResources: evil }),
    );
    const lines = runScript(submitScript(job, 'K8sJobMode', url));
    assert.equal(lines.length, 3, lines.join('\n'));
    assert.ok(lines[1]!.endsWith(`<--> <sh> <-c> <${evil}>`), lines[1]);
    assert.ok(lines[1]!.includes(`<--submission-id> <${evil}>`));
    assert.ok(lines[1]!.includes(`<--metadata-json> <${JSON.stringify({ k: evil })}>`));
  });

  it('SidecarMode: a blocking submit against the head itself (127.0.0.1 and its dashboard port)', () => {
    const job = rayJob('job', withIds, inMode('SidecarMode'));
    const lines = runScript(submitScript(job, 'SidecarMode', ''));
    assert.deepEqual(lines, [
      `ray <job> <submit> <--address> <http://127.0.0.1:8265> <--submission-id> <job-xyz12> <--> <python> <-c> <print(1)>`,
    ]);
  });

  it("the K8sJobMode Job: named like the RayJob, owned by it, backoffLimit 2, KubeRay's env, restricted", () => {
    const job: RayJob = rayJob('job', withIds);
    const cluster = clusterForJob(job, 'job-abcde');
    const k = submitterJob(job, cluster) as unknown as {
      metadata: { name: string; ownerReferences: { kind: string; controller: boolean }[] };
      spec: {
        backoffLimit: number;
        template: {
          spec: { restartPolicy: string; containers: Record<string, unknown>[]; securityContext: unknown };
        };
      };
    };
    assert.equal(k.metadata.name, 'job');
    assert.equal(k.metadata.ownerReferences[0]!.kind, 'RayJob');
    assert.equal(k.spec.backoffLimit, 2);
    const tpl = k.spec.template.spec;
    assert.equal(tpl.restartPolicy, 'Never');
    const c = tpl.containers[0] as {
      name: string;
      image: string;
      command: string[];
      env: { name: string; value: string }[];
      securityContext: { runAsNonRoot: boolean };
    };
    assert.equal(c.name, SUBMITTER_CONTAINER);
    assert.equal(c.image, 'rayproject/ray:2.58.0');
    assert.deepEqual(c.command, ['/bin/bash', '-ce', '--']);
    assert.deepEqual(
      c.env.map((e) => [e.name, e.value]),
      [
        ['PYTHONUNBUFFERED', '1'],
        ['RAY_DASHBOARD_ADDRESS', url],
        ['RAY_JOB_SUBMISSION_ID', 'job-xyz12'],
      ],
    );
    assert.equal(c.securityContext.runAsNonRoot, true);
    assert.deepEqual(tpl.securityContext, { seccompProfile: { type: 'RuntimeDefault' } });
    const custom = submitterJob(
      rayJob(
        'job',
        withIds,
        withJobSpec({
          submitterConfig: { backoffLimit: 0 },
          submitterPodTemplate: {
            spec: {
              containers: [{ name: 'mine', image: 'img', command: ['my-submit'] }],
              restartPolicy: 'Never',
            },
          },
        }),
      ),
      cluster,
    ) as unknown as {
      spec: {
        backoffLimit: number;
        template: { spec: { containers: { command: string[]; args?: string[] }[] } };
      };
    };
    assert.equal(custom.spec.backoffLimit, 0);
    assert.deepEqual(
      custom.spec.template.spec.containers[0]!.command,
      ['my-submit'],
      "the user's command is kept",
    );
    assert.equal(custom.spec.template.spec.containers[0]!.args, undefined);
  });

  it('the cluster: origin labels, the submission mode, an owner reference; SidecarMode adds the submitter to the head', () => {
    const k8s = clusterForJob(rayJob('job', withIds), 'job-abcde');
    assert.equal(k8s.metadata?.name, 'job-abcde');
    assert.deepEqual(k8s.metadata?.labels, {
      'ray.io/originated-from-cr-name': 'job',
      'ray.io/originated-from-crd': 'RayJob',
      'ray.io/job-submission-mode': 'K8sJobMode',
    });
    assert.equal(k8s.metadata?.ownerReferences?.[0]?.uid, 'uid-job');
    assert.equal(k8s.spec.headGroupSpec.template.spec?.containers.length, 1);
    const side = clusterForJob(rayJob('job', withIds, inMode('SidecarMode')), 'job-abcde');
    const head = side.spec.headGroupSpec.template.spec!;
    assert.deepEqual(
      head.containers.map((c) => c.name),
      ['ray-head', SUBMITTER_CONTAINER],
    );
    assert.equal(head.restartPolicy, 'Never');
    assert.equal(side.metadata?.annotations?.['ray.io/disable-provisioned-head-restart'], 'true');
  });
});
