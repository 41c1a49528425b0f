import { describe, expect, it } from 'vitest';
import { recoveredBy, runCounts } from '../../../../src/harness/oracle/counts.ts';
import { traceFacts } from '../../../../src/harness/oracle/trace-facts.ts';
import { TraceBuilder, scenarioWith } from './trace-builder.ts';

const s = scenarioWith({}, ['j1', 'j2', 'j3', 'j4', 'j5', 'j6']);

describe('runCounts', () => {
  it('counts acknowledged, completed on server, reported, lost, duplicated, phantom and recovered', () => {
    const b = new TraceBuilder();
    // j1: completed after its socket dropped (recovered by a reconnect)
    b.submit('j1');
    b.submitted('j1', 'p1');
    b.http('POST', '/prompt', 200, { prompt_id: 'p1', number: 0 });
    b.queued('p1', 'c1');
    b.connect(1, 'c1');
    b.success('p1');
    b.close(1);
    b.connect(2, 'c1');
    b.completed('j1', 'p1');
    // j2: succeeded, never reported (lost)
    b.submit('j2');
    b.submitted('j2', 'p2');
    b.queued('p2', 'c1');
    b.success('p2');
    // j3: reported twice (duplicated)
    b.submit('j3');
    b.submitted('j3', 'p3');
    b.queued('p3', 'c1');
    b.success('p3');
    b.completed('j3', 'p3');
    b.completed('j3', 'p3');
    // j4: failed on the server, reported completed (phantom)
    b.submit('j4');
    b.submitted('j4', 'p4');
    b.queued('p4', 'c1');
    b.prompt('error', 'p4');
    b.completed('j4', 'p4');
    // j5: found by polling while its window had no socket (recovered)
    b.submit('j5');
    b.submitted('j5', 'p5');
    b.queued('p5', 'c5');
    b.success('p5');
    b.http('GET', '/history/p5', 200, { p5: { outputs: {} } });
    b.completed('j5', 'p5');
    // j6: refused by the server (not acknowledged)
    b.submit('j6');
    b.http('POST', '/prompt', 500);
    b.failed('j6', 'error');
    // a job nobody submitted (phantom)
    b.completed('ghost', 'p9');
    const facts = traceFacts(b.events, s);
    expect(runCounts(facts)).toEqual({ acknowledged: 5, completedOnServer: 4, reported: 4, lost: 1, duplicated: 1, phantom: 2, recovered: 2 });
    expect(['j1', 'j3', 'j5'].map((id) => recoveredBy(facts.job.get(id)!, facts))).toEqual(['reconnect', undefined, 'polling']);
  });
});
