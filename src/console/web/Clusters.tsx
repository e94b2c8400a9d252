// Clusters: state, groups with desired/ready, resources, spec warnings; live, virtualized.
import { useState } from 'preact/hooks';
import type { ConsoleCluster } from '../protocol.ts';
import { errors, list, useStore } from './store.ts';
import { VirtualList } from './VirtualList.tsx';

export function groupsText(c: ConsoleCluster): string {
  return (c.spec.workerGroupSpecs ?? [])
    .map((g) => `${g.groupName} ${g.suspend ? 'suspended' : `${g.replicas ?? 0}`}`)
    .join(', ');
}

export function Clusters() {
  useStore();
  const [filter, setFilter] = useState('');
  const all = list<ConsoleCluster>('rayclusters');
  const shown = all
    .filter((c) => filter === '' || `${c.metadata.namespace ?? ''}/${c.metadata.name ?? ''}`.includes(filter))
    .sort((a, b) =>
      `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(
        `${b.metadata.namespace}/${b.metadata.name}`,
      ),
    );
  const err = errors.get('rayclusters');
  return (
    <section>
      <h2>
        RayClusters{' '}
        <span class="count" data-testid="cluster-count">
          {shown.length}
        </span>
      </h2>
      {err && <p class="error">{err}</p>}
      <input
        class="filter"
        placeholder="filter namespace/name"
        value={filter}
        onInput={(e) => {
          setFilter(e.currentTarget.value);
        }}
      />
      <div class="row head">
        <span>namespace</span>
        <span>name</span>
        <span>state</span>
        <span>workers ready/desired</span>
        <span>groups</span>
        <span>CPU / memory / GPU</span>
        <span>warnings</span>
      </div>
      <VirtualList
        items={shown}
        rowHeight={34}
        height={Math.max(200, Math.min(shown.length * 34, window.innerHeight - 220))}
        row={(c) => {
          const s = c.status;
          const w = c.consoleWarnings ?? [];
          return (
            <a
              class="row"
              href={`#/cluster/${c.metadata.namespace}/${c.metadata.name}`}
              data-cluster={c.metadata.name}
            >
              <span>{c.metadata.namespace}</span>
              <span class="name">{c.metadata.name}</span>
              <span class={`state ${s?.state ?? 'pending'}`}>
                {c.spec.suspend ? 'suspended' : (s?.state ?? 'pending')}
              </span>
              <span data-testid="ready">
                {s?.readyWorkerReplicas ?? 0}/{s?.desiredWorkerReplicas ?? 0}
              </span>
              <span>{groupsText(c)}</span>
              <span>
                {s?.desiredCPU ?? '-'} / {s?.desiredMemory ?? '-'} / {s?.desiredGPU ?? '0'}
              </span>
              <span class={w.length ? 'warn' : ''} title={w.map((x) => `${x.path}: ${x.message}`).join('\n')}>
                {w.length || ''}
              </span>
            </a>
          );
        }}
      />
    </section>
  );
}
