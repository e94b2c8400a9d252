// A plain SVG line chart of Prometheus range results, so the README can show real series without a
// Grafana (none runs here). Pure: charts in, SVG text out; one chart per panel, stacked.

export interface Series {
  name: string;
  /** Prometheus [unix seconds, "value"] pairs. */
  points: readonly (readonly [number, string])[];
}

export interface Chart {
  title: string;
  series: readonly Series[];
}

const W = 760;
const H = 220;
const PAD = { left: 56, right: 16, top: 28, bottom: 28 };
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];

function esc(s: string): string {
  return s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
}

function chartSvg(c: Chart, y0: number): string {
  const pts = c.series
    .flatMap((s) => s.points.map(([t, v]) => [t, Number(v)] as const))
    .filter(([, v]) => Number.isFinite(v));
  const t0 = Math.min(...pts.map(([t]) => t));
  const t1 = Math.max(...pts.map(([t]) => t), t0 + 1);
  const vmax = Math.max(...pts.map(([, v]) => v), 1e-9) * 1.1;
  const x = (t: number) => PAD.left + ((t - t0) / (t1 - t0)) * (W - PAD.left - PAD.right);
  const y = (v: number) => y0 + H - PAD.bottom - (v / vmax) * (H - PAD.top - PAD.bottom);
  const out = [
    `<text x="${PAD.left}" y="${y0 + 18}" font-size="13" font-weight="bold">${esc(c.title)}</text>`,
    `<line x1="${PAD.left}" y1="${y(0)}" x2="${W - PAD.right}" y2="${y(0)}" stroke="#999"/>`,
    `<line x1="${PAD.left}" y1="${y(0)}" x2="${PAD.left}" y2="${y(vmax)}" stroke="#999"/>`,
    `<text x="${PAD.left - 6}" y="${y(vmax) + 10}" font-size="10" text-anchor="end">${vmax.toPrecision(3)}</text>`,
    `<text x="${PAD.left - 6}" y="${y(0)}" font-size="10" text-anchor="end">0</text>`,
    `<text x="${W - PAD.right}" y="${y0 + H - 8}" font-size="10" text-anchor="end">${Math.round(t1 - t0)} s</text>`,
  ];
  c.series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!;
    const d = s.points
      .filter(([, v]) => Number.isFinite(Number(v)))
      .map(([t, v], j) => `${j ? 'L' : 'M'}${x(t).toFixed(1)},${y(Number(v)).toFixed(1)}`)
      .join(' ');
    out.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="1.5"/>`);
    out.push(
      `<text x="${PAD.left + 8 + (i % 2) * 340}" y="${y0 + H + 4 + Math.floor(i / 2) * 12}" font-size="10" fill="${color}">${esc(s.name)}</text>`,
    );
  });
  return out.join('\n');
}

export function lineChartSvg(charts: readonly Chart[]): string {
  const legendRows = (c: Chart) => Math.ceil(c.series.length / 2) * 12 + 8;
  let y = 0;
  const parts: string[] = [];
  for (const c of charts) {
    parts.push(chartSvg(c, y));
    y += H + legendRows(c);
  }
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${y}" viewBox="0 0 ${W} ${y}" font-family="sans-serif">\n` +
    `<rect width="100%" height="100%" fill="white"/>\n${parts.join('\n')}\n</svg>\n`
  );
}
