import { describe, expect, it } from 'vitest';
import { RecordingImportError, scenarioFromRecording } from '../../../../src/harness/record/import-recording.ts';
import { scenarioLimits } from '../../../../src/protocol/scenario-limits.ts';
import type { TraceEvent } from '../../../../src/protocol/index.ts';

const HOUR = 3_600_000;

/** A recording of two accepted prompts (two graphs) of one client, the second `gapMs` after the first. */
function recording(gapMs: number): TraceEvent[] {
  const post = (seq: number, t: number, id: string) =>
    ({
      seq,
      t,
      wall: t,
      kind: 'http',
      method: 'POST',
      path: '/prompt',
      query: '',
      status: 200,
      request: JSON.stringify({ client_id: 'c', prompt: { '1': { class_type: 'SimSleep', inputs: { duration_ms: seq * 10, steps: 1 } } } }),
      response: JSON.stringify({ prompt_id: id, number: seq, node_errors: {} }),
    }) as TraceEvent;
  return [{ seq: 0, t: 0, wall: 0, kind: 'note', message: 'recording: test' } as TraceEvent, post(1, 0, 'p1'), post(2, gapMs, 'p2')];
}

describe('a recording imported as a scenario stays within the run bound (6 h)', () => {
  it('a 3 h recording gets the bound itself, not three times its length (which the schema refuses)', () => {
    const { scenario } = scenarioFromRecording(recording(3 * HOUR));
    expect(scenario.maxRunMs).toBe(scenarioLimits.maxRunMs);
    expect(scenario.jobs).toHaveLength(2);
  });

  it('a short recording keeps three times its length', () => {
    const { scenario } = scenarioFromRecording(recording(60_000));
    expect(scenario.maxRunMs).toBe(3 * 60_000 + 20_000);
  });

  it('a 7 h recording is refused with its length, the bound and what to do', () => {
    let error: unknown;
    try {
      scenarioFromRecording(recording(7 * HOUR));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(RecordingImportError);
    expect((error as Error).message).toMatch(/spans 7\.0 h; a replay runs at most 6 h: record a shorter session, or cut the trace file/);
  });
});
