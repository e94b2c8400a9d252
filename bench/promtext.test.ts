import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffCounts, parseRequestCounts, totals } from './promtext.ts';

const text = `# HELP rest_client_requests_total Number of HTTP requests, partitioned by status code, method, and host.
# TYPE rest_client_requests_total counter
rest_client_requests_total{code="200",host="127.0.0.1:6443",method="GET"} 12
rest_client_requests_total{code="201",host="127.0.0.1:6443",method="POST"} 1100
rest_client_requests_total{code="409",host="127.0.0.1:6443",method="PUT"} 3
rest_client_requests_total{code="200",host="127.0.0.1:6443",method="PUT"} 40
rest_client_request_duration_seconds_bucket{verb="GET",le="0.005"} 9
`;

test('request counts are summed per method over codes and hosts; other metrics are ignored', () => {
  assert.deepEqual(parseRequestCounts(text), { GET: 12, POST: 1100, PUT: 43 });
});

test('a window is the difference of two scrapes, split into reads and writes', () => {
  const d = diffCounts({ GET: 10, PUT: 40 }, { GET: 12, PUT: 40, PATCH: 2 });
  assert.deepEqual(d, { GET: 2, PUT: 0, PATCH: 2 });
  assert.deepEqual(totals(d), { reads: 2, writes: 2 });
});
