// Calls to the console server; the header marks them as the page's own (see server.ts).
import type { ErrorBody } from '../protocol.ts';

export class RequestError extends Error {}

export async function call<T>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json', 'x-kuray-console': '1' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = (await res.json()) as T | ErrorBody;
  if (!res.ok && typeof (data as ErrorBody).error === 'string' && !('objects' in (data as object)))
    throw new RequestError((data as ErrorBody).error);
  return data as T;
}
