import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRayStatus } from './testing.ts';

// `ray status` of Ray 2.58 on the local node (1 head + 3 workers of 01-basic.yaml).
const sample = `======== Autoscaler status: 2026-11-28 15:45:49.457276 ========
Node status
---------------------------------------------------------------
Active:
 (no active nodes)
Idle:
 1 headgroup
 3 worker-group-1
Pending:
 (no pending nodes)
Recent failures:
 (no failures)

Resources
---------------------------------------------------------------
Total Usage:
 0.0/8.0 CPU
 0B/16.00GiB memory
 0B/11.76GiB object_store_memory

From request_resources:
 (none)
Pending Demands:
 (no resource demands)
`;

describe('parseRayStatus', () => {
  it('counts active and idle nodes by type and reads CPU and memory totals', () => {
    const s = parseRayStatus(sample);
    assert.deepEqual(s.nodesByType, { headgroup: 1, 'worker-group-1': 3 });
    assert.equal(s.nodes, 4);
    assert.equal(s.cpu, 8);
    assert.equal(s.memoryBytes, 16 * 1024 ** 3);
  });
});
