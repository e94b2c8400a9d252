// The browser's copy of what the server watches: one EventSource, maps per kind, and a version
// number views re-render on (at most once per animation frame, so a burst of 500 changes is one
// render).
import { useEffect, useState } from 'preact/hooks';
import type { KubeObject } from '../../runtime/resources.ts';
import type { StreamMessage, WatchedKind } from '../protocol.ts';

export const objects: Record<WatchedKind, Map<string, KubeObject>> = {
  rayclusters: new Map(),
  rayjobs: new Map(),
  rayservices: new Map(),
  pods: new Map(),
  events: new Map(),
};
export const errors = new Map<WatchedKind, string>();
export const synced = new Set<WatchedKind>();
let version = 0;
let scheduled = false;
const listeners = new Set<() => void>();

const key = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;

function changed(): void {
  version++;
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    for (const l of listeners) l();
  });
}

function apply(m: StreamMessage): void {
  if (m.t === 'error') {
    errors.set(m.kind, m.message);
  } else if (m.t === 'replace') {
    const map = objects[m.kind];
    map.clear();
    for (const o of m.items) map.set(key(o), o);
    synced.add(m.kind);
    errors.delete(m.kind);
  } else if (m.t === 'DELETED') {
    objects[m.kind].delete(key(m.object));
  } else {
    objects[m.kind].set(key(m.object), m.object);
  }
  changed();
}

export function connect(): void {
  const es = new EventSource('api/watch');
  es.onmessage = (e: MessageEvent<string>) => {
    apply(JSON.parse(e.data) as StreamMessage);
  };
}

/** Re-renders the calling component whenever the watched data changed. */
export function useStore(): number {
  const [, set] = useState(0);
  useEffect(() => {
    const l = () => {
      set(version);
    };
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  return version;
}

export function list<T extends KubeObject>(kind: WatchedKind): T[] {
  return [...objects[kind].values()] as T[];
}
