// Rules 1–3: the group's size inside [minReplicas, maxReplicas] and no more pods than replicas.
// Bounds come first: nothing else is meaningful outside them. Only launching or idle pods are ever
// named for deletion (removableWorkers), never busy ones.
import { removableWorkers } from '../idle.ts';
import { scale, type GroupRule } from './context.ts';

/** 1. replicas < minReplicas → minReplicas (ignores cooldown). */
export const minReplicas: GroupRule = (c) =>
  c.current < c.min
    ? scale(
        c,
        c.min,
        [],
        'min-replicas',
        `replicas ${c.current} below minReplicas ${c.min}: raising to ${c.min}`,
        c.base,
      )
    : undefined;

/** 2. replicas > maxReplicas → maxReplicas, naming launching/idle pods beyond it. */
export const maxReplicas: GroupRule = (c) => {
  if (c.current <= c.max) return undefined;
  const victims = removableWorkers(c.active)
    .slice(0, Math.max(0, c.active.length - c.max))
    .map((w) => w.podName);
  return scale(
    c,
    c.max,
    victims,
    'max-replicas',
    `replicas ${c.current} above maxReplicas ${c.max}: lowering to ${c.max}` +
      (victims.length ? `, deleting launching/idle ${victims.join(', ')}` : ''),
    c.base,
  );
};

/** 3. More pods than replicas (after a clamp, or replicas lowered by hand): drop only free ones. */
export const surplusWorkers: GroupRule = (c) => {
  if (c.active.length <= c.current) return undefined;
  const names = removableWorkers(c.active)
    .slice(0, c.active.length - c.current)
    .map((w) => w.podName);
  if (names.length === 0) return undefined; // all busy: they stay until free
  return scale(
    c,
    c.current,
    names,
    'surplus-workers',
    `${c.active.length} pods for ${c.current} replicas: deleting launching/idle ${names.join(', ')}`,
    c.base,
  );
};
