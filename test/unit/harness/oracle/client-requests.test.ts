import { describe, expect, it } from 'vitest';
import { clientRequests } from '../../../../src/harness/oracle/client-requests.ts';
import type { TraceEvent } from '../../../../src/protocol/index.ts';

const post = (seq: number, path: string, body: unknown, status = 200) =>
  ({ seq, t: seq, wall: seq, kind: 'http', method: 'POST', path, query: '', status, request: JSON.stringify(body) }) as TraceEvent;

describe("the client's cancel requests, as the oracle reads them from the trace", () => {
  it('counts the jobs API cancels frontend 1.58 sends (one job by path, several by job_ids) beside /queue delete and /interrupt', () => {
    const id = '0b5c7b1e-3f4a-4c2d-9e8f-1a2b3c4d5e6f';
    const other = '1c6d8c2f-4a5b-4d3e-8f9a-2b3c4d5e6f70';
    const { cancels } = clientRequests([
      post(1, `/api/jobs/${id}/cancel`, {}),
      post(2, '/api/jobs/cancel', { job_ids: [id, other] }),
      post(3, '/api/queue', { delete: [other] }),
      post(4, '/interrupt', {}),
      post(5, '/api/jobs', {}), // not a cancel
    ]);
    expect(cancels.map((c) => [c.seq, c.kind, c.global, c.promptIds])).toEqual([
      [1, 'job-cancel', false, [id]],
      [2, 'job-cancel', false, [id, other]],
      [3, 'queue-delete', false, [other]],
      [4, 'interrupt', true, []],
    ]);
  });
});
