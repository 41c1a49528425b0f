import { describe, expect, it } from 'vitest';
import { inferFaults } from '../../../../src/harness/record/fault-evidence.ts';
import type { PromptTimeline } from '../../../../src/harness/record/server-timeline.ts';
import type { TraceEvent } from '../../../../src/protocol/index.ts';

/** One prompt that ran from 200 to 1,800 ms and succeeded, and a socket that dropped (1006) at `dropAt`. */
function recording(dropAt: number) {
  const timeline = { index: 1, promptId: 'p1', sentPromptId: null, clientId: 'c', prompt: {}, acceptedAt: 100, outcome: 'success', startedAt: 200, endedAt: 1_800, received: [], entries: [] } as PromptTimeline;
  const events = [
    { seq: 0, t: 0, wall: 0, kind: 'ws_connect', conn: 1, clientId: 'c', sid: 'c' },
    { seq: 1, t: dropAt, wall: 0, kind: 'ws_close', conn: 1, code: 1006, by: 'server' },
  ] as TraceEvent[];
  return { events, timelines: [timeline] };
}

describe('faults inferred from a recording', () => {
  it('a drop in the middle of a job, with nothing after it, is replayed as a terminate and said to be of unknown cause', () => {
    const { events, timelines } = recording(1_000);
    const found = inferFaults(events, timelines, 0);
    expect(found.faults.map((f) => f.fault.type)).toEqual(['terminate']);
    expect(found.undetermined.join('\n')).toMatch(/cause \(network or server\)/);
  });

  it('a drop after every job had ended, with nothing after it, is the end of the recording: said, not replayed', () => {
    // It raced the recording proxy's stopping note on a loaded CI machine and added a terminate.
    const { events, timelines } = recording(4_287);
    const found = inferFaults(events, timelines, 0);
    expect(found.faults).toEqual([]);
    expect(found.undetermined.join('\n')).toMatch(/after every job had ended .*the end of the recording, not replayed/);
  });
});
