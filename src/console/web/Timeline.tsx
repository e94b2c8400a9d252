// The autoscaling timeline: replicas per worker group over time (an SVG step chart), each
// decision marked on it, and the decision list with the rule and the signal values behind it.
import type { ConsoleCluster, EventObject } from '../protocol.ts';
import { buildTimeline } from '../timeline.ts';

const W = 720;
const H = 160;
const PAD = 30;
const colors = ['#2563eb', '#db2777', '#16a34a', '#ca8a04', '#7c3aed'];

export function TimelineView(props: { cluster: ConsoleCluster; events: EventObject[] }) {
  const t = buildTimeline(props.cluster, props.events, Date.now());
  const maxR = Math.max(1, ...t.series.flatMap((s) => s.points.map((p) => p.replicas)));
  const span = Math.max(1, t.end - t.start);
  const x = (at: number) => PAD + ((at - t.start) / span) * (W - 2 * PAD);
  const y = (r: number) => H - PAD - (r / maxR) * (H - 2 * PAD);
  const mode = props.cluster.status?.autoscaler?.mode;
  return (
    <div class="timeline" data-testid="timeline">
      <p class="hint">
        autoscaler: {mode ?? (props.cluster.spec.enableInTreeAutoscaling ? 'in-tree (Ray)' : 'none')}
        {props.cluster.status?.autoscaler?.message ? ` — ${props.cluster.status.autoscaler.message}` : ''}
      </p>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        width={W}
        height={H}
        role="img"
        aria-label="replicas per group over time"
      >
        <line x1={PAD} y1={H - PAD} x2={W - PAD} y2={H - PAD} class="axis" />
        <line x1={PAD} y1={PAD} x2={PAD} y2={H - PAD} class="axis" />
        <text x={4} y={y(maxR) + 4} class="tick">
          {maxR}
        </text>
        <text x={4} y={H - PAD + 4} class="tick">
          0
        </text>
        <text x={PAD} y={H - 8} class="tick">
          {new Date(t.start).toLocaleTimeString()}
        </text>
        <text x={W - PAD} y={H - 8} class="tick" text-anchor="end">
          {new Date(t.end).toLocaleTimeString()}
        </text>
        {t.series.map((s, i) => {
          let d = '';
          s.points.forEach((p, j) => {
            d += j === 0 ? `M${x(p.at)},${y(p.replicas)}` : `H${x(p.at)}V${y(p.replicas)}`;
          });
          return <path d={d} fill="none" stroke={colors[i % colors.length]} stroke-width={2} />;
        })}
        {t.decisions.map((d) => (
          <circle cx={x(d.at)} cy={y(d.to)} r={4} class={`mark ${d.source}`}>
            <title>
              {d.group}: {d.from} → {d.to}, {d.rule}: {d.message}
            </title>
          </circle>
        ))}
      </svg>
      <p class="legend">
        {t.series.map((s, i) => (
          <span style={{ color: colors[i % colors.length] }}>■ {s.group} </span>
        ))}
      </p>
      <table data-testid="decisions">
        <thead>
          <tr>
            <th>time</th>
            <th>group</th>
            <th>replicas</th>
            <th>rule</th>
            <th>why</th>
            <th>signals</th>
          </tr>
        </thead>
        <tbody>
          {t.decisions.length === 0 && (
            <tr>
              <td colSpan={6}>no autoscaling decision recorded</td>
            </tr>
          )}
          {[...t.decisions].reverse().map((d) => (
            <tr data-rule={d.rule}>
              <td>{new Date(d.at).toLocaleTimeString()}</td>
              <td>{d.group}</td>
              <td>{d.from === d.to ? d.to : `${d.from} → ${d.to}`}</td>
              <td class="rule">{d.rule}</td>
              <td>{d.message}</td>
              <td class="signals">
                {Object.entries(d.inputs)
                  .map(([k, v]) => `${k}=${v}`)
                  .join(', ')}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
