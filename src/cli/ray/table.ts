// Output as `kubectl get` prints it (cli-runtime's table printer): upper-case headers, columns
// aligned by a tab writer (cell width = text + 3, at least 6; the last column unpadded), no output
// at all for no rows; ages as apimachinery's HumanDuration. Pure.
import { toYaml } from '../../util/yaml.ts';

export interface Table {
  columns: readonly string[];
  rows: readonly (readonly (string | number)[])[];
}

const minWidth = 6;
const padding = 3;

export function renderTable(t: Table): string {
  if (t.rows.length === 0) return '';
  const cell = (v: string | number) => {
    const s = String(v);
    const cut = s.search(/[\f\n\r]/);
    return cut < 0 ? s : `${s.slice(0, cut)}...`;
  };
  const lines = [t.columns.map((c) => c.toUpperCase()), ...t.rows.map((r) => r.map(cell))];
  const widths = t.columns.map((_, i) =>
    Math.max(minWidth, ...lines.map((l) => (l[i] ?? '').length + padding)),
  );
  return (
    lines.map((l) => l.map((c, i) => (i === l.length - 1 ? c : c.padEnd(widths[i]!))).join('')).join('\n') +
    '\n'
  );
}

/** Age as kubectl prints it: 45s, 3m20s, 12m, 5h10m, 2d3h, 400d, 2y30d… */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  const unit = (a: number, ua: string, b: number, ub: string) =>
    b === 0 ? `${a}${ua}` : `${a}${ua}${b}${ub}`;
  if (minutes < 10) return unit(minutes, 'm', seconds % 60, 's');
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return unit(hours, 'h', minutes % 60, 'm');
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 8) return unit(days, 'd', hours % 24, 'h');
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.floor(days / 365);
  if (hours < 24 * 365 * 8) return unit(years, 'y', days % 365, 'd');
  return `${years}y`;
}

/** The Age column of an object created at `created` (ISO), '<unknown>' without one. */
export function age(created: string | undefined, now = Date.now()): string {
  const t = created ? Date.parse(created) : NaN;
  return Number.isNaN(t) ? '<unknown>' : humanDuration(now - t);
}

export type OutputFormat = 'table' | 'yaml' | 'json';

export function parseOutput(o: string | undefined): OutputFormat {
  if (o === undefined || o === '' || o === 'table') return 'table';
  if (o === 'yaml' || o === 'json') return o;
  throw new Error(
    `unable to match a printer suitable for the output format "${o}", allowed formats are: json, yaml`,
  );
}

/**
 * Objects as `kubectl get -o yaml|json`: a named object as itself, a listing as a v1 List (keys in
 * kubectl's order), managedFields left out as kubectl leaves them out.
 */
export function renderObjects(objects: readonly unknown[], format: 'yaml' | 'json', named: boolean): string {
  const items = objects.map(withoutManagedFields);
  const doc =
    named && items.length === 1
      ? items[0]
      : { apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } };
  return format === 'json' ? JSON.stringify(doc, null, 4) + '\n' : toYaml(doc);
}

function withoutManagedFields(o: unknown): unknown {
  if (typeof o !== 'object' || o === null || !('metadata' in o)) return o;
  const meta = (o as { metadata?: Record<string, unknown> }).metadata;
  if (!meta || !('managedFields' in meta)) return o;
  const { managedFields: _dropped, ...rest } = meta;
  return { ...o, metadata: rest };
}
