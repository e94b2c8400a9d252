// Reads API request counts from an operator's Prometheus text: client-go's (and Kuray's)
// rest_client_requests_total{code, method, host}. Pure.

export type RequestCounts = Readonly<Record<string, number>>;

const writeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function isWrite(method: string): boolean {
  return writeMethods.has(method.toUpperCase());
}

/** Sum of rest_client_requests_total by method (all codes and hosts). */
export function parseRequestCounts(text: string): RequestCounts {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith('rest_client_requests_total{')) continue;
    const m = /method="([^"]*)"/.exec(line);
    const value = Number(
      line
        .slice(line.lastIndexOf('}') + 1)
        .trim()
        .split(/\s+/)[0],
    );
    if (!m || !Number.isFinite(value)) continue;
    const method = m[1]!.toUpperCase();
    out[method] = (out[method] ?? 0) + value;
  }
  return out;
}

/** after − before per method (a method absent before counts from 0). */
export function diffCounts(before: RequestCounts, after: RequestCounts): RequestCounts {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) out[k] = v - (before[k] ?? 0);
  return out;
}

export function totals(c: RequestCounts): { reads: number; writes: number } {
  let reads = 0;
  let writes = 0;
  for (const [k, v] of Object.entries(c)) {
    if (isWrite(k)) writes += v;
    else reads += v;
  }
  return { reads, writes };
}
