// One cluster: groups (with the scale action), pods, conditions, Events, the Ray dashboard, the
// autoscaling timeline, suspend/resume and delete.
import { useEffect, useState } from 'preact/hooks';
import type { ConsoleCluster, EventObject, PodObject } from '../protocol.ts';
import { call } from './api.ts';
import { list, objects, useStore } from './store.ts';
import { TimelineView } from './Timeline.tsx';

interface Can {
  patch: boolean;
  create: boolean;
  delete: boolean;
}

function podReady(p: PodObject): boolean {
  return p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

function ScaleControl(props: {
  c: ConsoleCluster;
  group: string;
  replicas: number;
  can: Can | undefined;
  onError: (e: string) => void;
}) {
  const [n, setN] = useState(String(props.replicas));
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    setN(String(props.replicas));
  }, [props.replicas]);
  const allowed = props.can?.patch === true;
  return (
    <span class="scale">
      <input
        type="number"
        min="0"
        value={n}
        aria-label={`replicas of ${props.group}`}
        disabled={!allowed}
        onInput={(e) => {
          setN(e.currentTarget.value);
        }}
      />
      <button
        disabled={!allowed || busy}
        title={allowed ? '' : 'your RBAC does not allow patching RayClusters here'}
        onClick={() => {
          setBusy(true);
          call('api/scale', {
            namespace: props.c.metadata.namespace,
            name: props.c.metadata.name,
            group: props.group,
            replicas: Number(n),
          })
            .then(() => {
              props.onError('');
            })
            .catch((e: unknown) => {
              props.onError((e as Error).message);
            })
            .finally(() => {
              setBusy(false);
            });
        }}
      >
        Scale
      </button>
    </span>
  );
}

export function Cluster(props: { namespace: string; name: string }) {
  useStore();
  const [can, setCan] = useState<Can>();
  const [error, setError] = useState('');
  useEffect(() => {
    call<Can>(`api/can?namespace=${encodeURIComponent(props.namespace)}`).then(setCan, () => {
      setCan(undefined);
    });
  }, [props.namespace]);
  const c = objects.rayclusters.get(`${props.namespace}/${props.name}`) as ConsoleCluster | undefined;
  if (!c)
    return (
      <p>
        RayCluster {props.namespace}/{props.name} not found (yet).
      </p>
    );
  const pods = list<PodObject>('pods').filter(
    (p) => p.metadata.namespace === props.namespace && p.metadata.labels?.['ray.io/cluster'] === props.name,
  );
  const events = list<EventObject>('events').filter(
    (e) => e.involvedObject.namespace === props.namespace && e.involvedObject.name === props.name,
  );
  events.sort((a, b) => (b.lastTimestamp ?? '').localeCompare(a.lastTimestamp ?? ''));
  const head = c.status?.head;
  const dashboard = head?.serviceIP ?? head?.podIP;
  const act = (path: string, body: unknown) =>
    call(path, body).then(
      () => {
        setError('');
      },
      (e: unknown) => {
        setError((e as Error).message);
      },
    );
  return (
    <section>
      <h2>
        RayCluster {props.namespace}/{props.name}{' '}
        <span class={`state ${c.status?.state ?? ''}`}>
          {c.spec.suspend ? 'suspended' : (c.status?.state ?? 'pending')}
        </span>
      </h2>
      <p class="actions">
        <button
          disabled={can?.patch !== true}
          onClick={() =>
            void act('api/suspend', {
              kind: 'RayCluster',
              namespace: props.namespace,
              name: props.name,
              suspend: !c.spec.suspend,
            })
          }
        >
          {c.spec.suspend ? 'Resume' : 'Suspend'}
        </button>
        <button
          class="danger"
          disabled={can?.delete !== true}
          onClick={() => {
            if (window.confirm(`Delete RayCluster ${props.namespace}/${props.name} and all its pods?`))
              void act('api/delete', {
                kind: 'RayCluster',
                namespace: props.namespace,
                name: props.name,
              }).then(() => {
                location.hash = '#/';
              });
          }}
        >
          Delete
        </button>
        {dashboard && (
          <span class="hint">
            Ray dashboard: <code>http://{dashboard}:8265</code> in the cluster network; from here{' '}
            <code>
              kubectl ray session {props.name} -n {props.namespace}
            </code>
          </span>
        )}
      </p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {(c.consoleWarnings ?? []).length > 0 && (
        <ul class="issues">
          {c.consoleWarnings!.map((w) => (
            <li class="warning">
              warning: {w.path}: {w.message} <em>({w.hint})</em>
            </li>
          ))}
        </ul>
      )}
      <h3>Worker groups</h3>
      <table data-can-patch={can === undefined ? 'unknown' : String(can.patch)}>
        <thead>
          <tr>
            <th>group</th>
            <th>replicas (min..max)</th>
            <th>pods ready</th>
            <th>scale</th>
          </tr>
        </thead>
        <tbody>
          {(c.spec.workerGroupSpecs ?? []).map((g) => {
            const mine = pods.filter((p) => p.metadata.labels?.['ray.io/group'] === g.groupName);
            return (
              <tr data-group={g.groupName}>
                <td>{g.groupName}</td>
                <td>
                  {g.replicas ?? 0} ({g.minReplicas}..{g.maxReplicas})
                </td>
                <td data-testid="group-pods">
                  {mine.filter(podReady).length}/{mine.length}
                </td>
                <td>
                  <ScaleControl
                    c={c}
                    group={g.groupName}
                    replicas={g.replicas ?? 0}
                    can={can}
                    onError={setError}
                  />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <h3>Autoscaling timeline</h3>
      <TimelineView cluster={c} events={events} />
      <h3>
        Pods <span class="count">{pods.length}</span>
      </h3>
      <table data-testid="pods">
        <thead>
          <tr>
            <th>name</th>
            <th>phase</th>
            <th>ready</th>
            <th>IP</th>
            <th>restarts</th>
          </tr>
        </thead>
        <tbody>
          {pods.map((p) => (
            <tr>
              <td>{p.metadata.name}</td>
              <td>{p.metadata.deletionTimestamp ? 'Terminating' : p.status?.phase}</td>
              <td>{podReady(p) ? 'yes' : 'no'}</td>
              <td>{p.status?.podIP}</td>
              <td>{(p.status?.containerStatuses ?? []).reduce((n, s) => n + s.restartCount, 0)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Conditions</h3>
      <table>
        <tbody>
          {(c.status?.conditions ?? []).map((k) => (
            <tr>
              <td>{k.type}</td>
              <td>{k.status}</td>
              <td>{k.reason}</td>
              <td>{k.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Events</h3>
      <table>
        <tbody>
          {events.slice(0, 50).map((e) => (
            <tr class={e.type === 'Warning' ? 'warn' : ''}>
              <td>{e.lastTimestamp}</td>
              <td>{e.reason}</td>
              <td>{e.message}</td>
              <td>{e.count}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
