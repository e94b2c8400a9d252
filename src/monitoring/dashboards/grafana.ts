// A small builder for Grafana dashboards (schema 39-ish JSON): time-series and stat panels laid out
// two to a row, a Prometheus datasource variable, and query variables. Pure.

export interface Target {
  expr: string;
  legend?: string;
}

export interface PanelSpec {
  title: string;
  description: string;
  targets: readonly Target[];
  /** Grafana unit id (short, percentunit, s, bytes, reqps…). */
  unit?: string;
  type?: 'timeseries' | 'stat' | 'table';
  /** Full row width. */
  wide?: boolean;
}

export interface RowSpec {
  title: string;
  panels: readonly PanelSpec[];
}

export interface VariableSpec {
  name: string;
  label: string;
  /** label_values(...) query. */
  query: string;
}

const DS = { type: 'prometheus', uid: '${datasource}' };

export function dashboard(o: {
  uid: string;
  title: string;
  description: string;
  tags: readonly string[];
  variables: readonly VariableSpec[];
  rows: readonly RowSpec[];
}): Record<string, unknown> {
  const panels: Record<string, unknown>[] = [];
  let id = 1;
  let y = 0;
  for (const row of o.rows) {
    panels.push({
      type: 'row',
      title: row.title,
      id: id++,
      collapsed: false,
      gridPos: { x: 0, y: y++, w: 24, h: 1 },
      panels: [],
    });
    let x = 0;
    for (const p of row.panels) {
      const w = p.wide ? 24 : 12;
      if (x + w > 24) {
        x = 0;
        y += 8;
      }
      panels.push({
        type: p.type ?? 'timeseries',
        title: p.title,
        description: p.description,
        id: id++,
        datasource: DS,
        gridPos: { x, y, w, h: 8 },
        fieldConfig: { defaults: { unit: p.unit ?? 'short' }, overrides: [] },
        options: { legend: { displayMode: 'table', placement: 'bottom', showLegend: true } },
        targets: p.targets.map((t, i) => ({
          datasource: DS,
          expr: t.expr,
          legendFormat: t.legend ?? '',
          refId: String.fromCharCode(65 + i),
        })),
      });
      x += w;
      if (x >= 24) {
        x = 0;
        y += 8;
      }
    }
    if (x > 0) y += 8;
  }
  return {
    uid: o.uid,
    title: o.title,
    description: o.description,
    tags: [...o.tags],
    editable: true,
    schemaVersion: 39,
    refresh: '30s',
    time: { from: 'now-1h', to: 'now' },
    templating: {
      list: [
        { name: 'datasource', label: 'Data source', type: 'datasource', query: 'prometheus', hide: 0 },
        ...o.variables.map((v) => ({
          name: v.name,
          label: v.label,
          type: 'query',
          datasource: DS,
          query: { query: v.query, refId: `${v.name}-query` },
          definition: v.query,
          includeAll: true,
          multi: true,
          allValue: '.*',
          current: { text: ['All'], value: ['$__all'] },
          refresh: 2,
          sort: 1,
        })),
      ],
    },
    panels,
  };
}

/** Every PromQL expression of a dashboard (rows' nested panels included). */
export function dashboardExprs(d: unknown): { panel: string; expr: string }[] {
  const out: { panel: string; expr: string }[] = [];
  const walk = (panels: unknown): void => {
    if (!Array.isArray(panels)) return;
    for (const p of panels as { title?: string; targets?: { expr?: string }[]; panels?: unknown }[]) {
      for (const t of p.targets ?? []) if (t.expr) out.push({ panel: p.title ?? '', expr: t.expr });
      walk(p.panels);
    }
  };
  walk((d as { panels?: unknown }).panels);
  return out;
}

/**
 * A dashboard expression made evaluable outside Grafana: template variables (always regex
 * matchers in these dashboards) match everything, and Grafana's interval macros get concrete values.
 */
export function concreteExpr(expr: string, interval = '1m'): string {
  return expr
    .replaceAll('$__rate_interval', interval)
    .replaceAll('$__interval', interval)
    .replaceAll('$__range', interval)
    .replace(/\$\{?[A-Za-z_][A-Za-z0-9_]*\}?/g, '.*');
}
