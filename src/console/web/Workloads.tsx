// RayJobs (status, timing, the cluster they run on) and RayServices (apps, upgrade progress).
import { useState } from 'preact/hooks';
import type { RayJobLogs, RayJobObject, RayServiceObject } from '../protocol.ts';
import { call } from './api.ts';
import { errors, list, useStore } from './store.ts';
import { VirtualList } from './VirtualList.tsx';

function duration(start?: string, end?: string): string {
  if (!start) return '';
  const ms = (end ? Date.parse(end) : Date.now()) - Date.parse(start);
  return Number.isFinite(ms) ? `${Math.round(ms / 1000)} s` : '';
}

const byName = (a: { metadata: { namespace?: string; name?: string } }, b: typeof a) =>
  `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`);

interface Shown {
  key: string;
  logs?: RayJobLogs;
  error?: string;
}

/** The submitter's log of one job, fetched when asked (and again on Refresh), not streamed. */
function LogPanel({ shown, reload }: { shown: Shown; reload: () => void }) {
  const l = shown.logs;
  return (
    <div class="logs" data-testid="job-logs">
      <div class="logs-head">
        <strong>{shown.key}</strong> {l?.source ?? l?.mode}{' '}
        <button type="button" onClick={reload}>
          Refresh
        </button>
      </div>
      {shown.error && <p class="error">{shown.error}</p>}
      {l?.message && <p class="hint">{l.message}</p>}
      {l?.text !== undefined && <pre>{l.text || '(empty)'}</pre>}
      {!l && !shown.error && <p class="hint">loading…</p>}
    </div>
  );
}

export function Jobs() {
  useStore();
  const jobs = list<RayJobObject>('rayjobs').sort(byName);
  const [shown, setShown] = useState<Shown | undefined>(undefined);
  const load = (ns: string, name: string) => {
    const key = `${ns}/${name}`;
    setShown({ key });
    const q = new URLSearchParams({ namespace: ns, name });
    call<RayJobLogs>(`/api/rayjob-logs?${q.toString()}`).then(
      (logs) => {
        setShown((s) => (s?.key === key ? { key, logs } : s));
      },
      (e: unknown) => {
        setShown((s) => (s?.key === key ? { key, error: (e as Error).message } : s));
      },
    );
  };
  return (
    <section>
      <h2>
        RayJobs <span class="count">{jobs.length}</span>
      </h2>
      {errors.get('rayjobs') && <p class="error">{errors.get('rayjobs')}</p>}
      <div class="row head jobs">
        <span>namespace</span>
        <span>name</span>
        <span>deployment</span>
        <span>job status</span>
        <span>duration</span>
        <span>cluster</span>
        <span>message</span>
      </div>
      <VirtualList
        items={jobs}
        rowHeight={34}
        height={Math.max(120, Math.min(jobs.length * 34, window.innerHeight - 220))}
        row={(j) => (
          <div class="row jobs" data-job={j.metadata.name}>
            <span>{j.metadata.namespace}</span>
            <span class="name">{j.metadata.name}</span>
            <span>{j.status?.jobDeploymentStatus}</span>
            <span>{j.status?.jobStatus}</span>
            <span>{duration(j.status?.startTime, j.status?.endTime)}</span>
            <span>
              {j.status?.rayClusterName && (
                <a href={`#/cluster/${j.metadata.namespace}/${j.status.rayClusterName}`}>
                  {j.status.rayClusterName}
                </a>
              )}
            </span>
            <span title={j.status?.message}>
              <button
                type="button"
                class="small"
                onClick={() => {
                  load(j.metadata.namespace ?? '', j.metadata.name ?? '');
                }}
              >
                logs
              </button>{' '}
              {j.status?.message ?? j.status?.reason}
            </span>
          </div>
        )}
      />
      {shown && (
        <LogPanel
          shown={shown}
          reload={() => {
            const [ns, name] = shown.key.split('/');
            load(ns ?? '', name ?? '');
          }}
        />
      )}
    </section>
  );
}

export function Services() {
  useStore();
  const svcs = list<RayServiceObject>('rayservices').sort(byName);
  return (
    <section>
      <h2>
        RayServices <span class="count">{svcs.length}</span>
      </h2>
      {errors.get('rayservices') && <p class="error">{errors.get('rayservices')}</p>}
      <table data-testid="services">
        <thead>
          <tr>
            <th>namespace</th>
            <th>name</th>
            <th>status</th>
            <th>active cluster</th>
            <th>apps</th>
            <th>upgrade</th>
            <th>endpoints</th>
          </tr>
        </thead>
        <tbody>
          {svcs.map((s) => {
            const st = s.status;
            const apps = Object.entries(st?.activeServiceStatus?.applicationStatuses ?? {});
            const ps = st?.pendingServiceStatus;
            return (
              <tr data-service={s.metadata.name}>
                <td>{s.metadata.namespace}</td>
                <td>{s.metadata.name}</td>
                <td>{st?.serviceStatus ?? (st?.conditions ?? []).find((c) => c.type === 'Ready')?.reason}</td>
                <td>{st?.activeServiceStatus?.rayClusterName}</td>
                <td>{apps.map(([n, a]) => `${n}: ${a.status ?? ''}`).join(', ')}</td>
                <td>
                  {ps?.rayClusterName
                    ? `→ ${ps.rayClusterName} (${ps.trafficRoutedPercent ?? 0}% traffic, capacity ${ps.targetCapacity ?? '-'}%)`
                    : 'none'}
                </td>
                <td>{st?.numServeEndpoints}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
