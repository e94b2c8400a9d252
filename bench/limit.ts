// The "minimal script": what the rig allows when nothing but a client with the operators' limits
// (same QPS/burst) writes the very pods an operator would — the compiler's own head and worker
// pods, without the owner reference (there is no RayCluster, and the garbage collector would delete
// pods whose owner does not exist). The baseline for the burst and scale scenarios.
import { inNamespace, rayCluster, withWorkers } from '../src/testing/builders.ts';
import { compileCluster } from '../src/compiler/index.ts';
import { Pods, type KubeObject } from '../src/runtime/resources.ts';
import type { KubeClient } from '../src/runtime/transport.ts';

/** Runs `fn` over `items` with at most `n` in flight; collects failures instead of stopping. */
export async function pool<T>(
  items: readonly T[],
  n: number,
  fn: (item: T) => Promise<unknown>,
): Promise<number> {
  let next = 0;
  let failures = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch {
        failures++;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, worker));
  return failures;
}

/** The pods of cluster `name` with `workers` workers, as Kuray's compiler renders them, ownerless. */
export function clusterPods(namespace: string, name: string, workers: number, withHead = true): KubeObject[] {
  const compiled = compileCluster(rayCluster(name, inNamespace(namespace), withWorkers(workers)));
  const pods = [
    ...(withHead ? [compiled.headPod(`${name}-head`)] : []),
    ...Array.from({ length: workers }, (_, i) => compiled.workerPod('workers', `${name}-workers-${i}`)),
  ];
  return pods.map((p) => {
    const copy = structuredClone(p) as unknown as KubeObject;
    delete copy.metadata.ownerReferences;
    return copy;
  });
}

export async function createPods(
  client: KubeClient,
  pods: readonly KubeObject[],
  concurrency: number,
): Promise<number> {
  return pool(pods, concurrency, (p) => client.create(Pods, p));
}

export async function deletePods(
  client: KubeClient,
  namespace: string,
  names: readonly string[],
  concurrency: number,
): Promise<number> {
  return pool(names, concurrency, (n) => client.delete(Pods, namespace, n));
}
