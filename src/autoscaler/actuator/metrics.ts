// What the native autoscaler decided, as Prometheus series: every decision counted by its rule and
// action, the replicas it wants, and the numeric signals behind the latest decision (utilization,
// threshold, pending demand…, the same inputs its Event and status.autoscaler carry), so the
// autoscaling dashboard can show each decision next to the signal that caused it.
import type { Registry } from 'prom-client';
import type { Decision } from '../policy/types.ts';
import { counter, gauge } from '../../runtime/metrics.ts';

type Labels = Record<string, string>;

export class AutoscalerMetrics {
  readonly #decisions;
  readonly #desired;
  readonly #input;
  /** "<ns>/<cluster>/<group>" → the input label sets last written (removed when the next decision differs). */
  readonly #inputs = new Map<string, Labels[]>();

  constructor(reg: Registry) {
    const group = ['namespace', 'cluster', 'group'] as const;
    this.#decisions = counter(
      reg,
      'kuray_autoscaler_decisions_total',
      'Native autoscaler decisions per worker group, by the rule that decided and the action (up, down, same, none)',
      [...group, 'rule', 'action'],
    );
    this.#desired = gauge(
      reg,
      'kuray_autoscaler_desired_replicas',
      'Replicas the native autoscaler last decided for the worker group',
      group,
    );
    this.#input = gauge(
      reg,
      'kuray_autoscaler_decision_input',
      'A numeric input of the latest decision (e.g. utilization, threshold, desiredWorkers), labelled by its rule',
      [...group, 'rule', 'input'],
    );
  }

  /** The decisions of one sync of one cluster, as carried out. */
  record(namespace: string, cluster: string, decisions: readonly Decision[]): void {
    for (const d of decisions) {
      const g = { namespace, cluster, group: d.group };
      const action = d.kind === 'none' ? 'none' : d.direction;
      this.#decisions.inc({ ...g, rule: d.reason.rule, action });
      this.#desired.set(g, d.replicas);
      const key = `${namespace}/${cluster}/${d.group}`;
      for (const l of this.#inputs.get(key) ?? []) this.#input.remove(l);
      const written: Labels[] = [];
      for (const [input, v] of Object.entries(d.reason.inputs)) {
        const n = typeof v === 'boolean' ? Number(v) : v;
        if (typeof n !== 'number' || !Number.isFinite(n)) continue;
        const l = { ...g, rule: d.reason.rule, input };
        this.#input.set(l, n);
        written.push(l);
      }
      this.#inputs.set(key, written);
    }
  }

  /** A cluster that left native mode or was deleted: its groups' gauges go. */
  forget(namespace: string, cluster: string): void {
    for (const [key, sets] of this.#inputs) {
      if (!key.startsWith(`${namespace}/${cluster}/`)) continue;
      for (const l of sets) this.#input.remove(l);
      this.#desired.remove({ namespace, cluster, group: key.slice(namespace.length + cluster.length + 2) });
      this.#inputs.delete(key);
    }
  }
}
