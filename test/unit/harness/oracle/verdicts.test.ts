import { describe, expect, it } from 'vitest';
import { judge } from '../../../../src/harness/oracle/index.ts';
import { scenarioWith, TraceBuilder } from './trace-builder.ts';

/** The verdicts beside pass and fail (issue 11; issue 12 points 2-6), judged on small synthetic traces. */

const restartOnStart = { type: 'restart', downMs: 100, at: { on: 'message', type: 'execution_start' } } as const;
const restartLabel = 'restart before execution_start';

describe('harness-error', () => {
  it('a trace holding an internal_error is harness-error with its stack, whatever the client did; its findings are kept as informational', () => {
    const t = new TraceBuilder();
    t.submit('j1');
    const err = t.add({ kind: 'internal_error', where: 'engine', message: 'RangeError: too deep', stack: 'RangeError: too deep\n    at run (engine.ts:1:1)' });
    const j = judge(t.events, scenarioWith());
    expect(j.verdict).toBe('harness-error');
    expect(j.harnessError).toEqual({ where: 'engine', message: 'RangeError: too deep', stack: 'RangeError: too deep\n    at run (engine.ts:1:1)', seq: err.seq });
    expect(j.reason).toMatch(/not the client/);
    expect(j.findings.length).toBeGreaterThan(0); // no-hang: the job never ended
    expect(j.findings.every((f) => f.informational)).toBe(true);
  });
});

describe('inconclusive: a fault that never fired', () => {
  it('says which fault and why: no execution_start was sent, since the client submitted without client_id', () => {
    const t = new TraceBuilder();
    t.submit('j1');
    t.http('POST', '/prompt', 200, { prompt_id: 'p1' });
    t.queued('p1', null);
    t.submitted('j1', 'p1');
    t.success('p1');
    t.completed('j1', 'p1');
    const j = judge(t.events, scenarioWith({ faults: [restartOnStart], expect: { j1: 'lost' } }));
    expect(j.verdict).toBe('inconclusive');
    expect(j.unfired).toEqual([{ fault: restartLabel, faultType: 'restart', why: expect.stringMatching(/^no execution_start was sent: the client submitted without client_id/) }]);
    // What the scenario expected rested on the fault: not judged, but kept.
    expect(j.findings.filter((f) => f.invariant === 'expected-outcome').every((f) => f.informational)).toBe(true);
  });

  it('the same trace with the fault fired is judged as before (fail: expected lost)', () => {
    const t = new TraceBuilder();
    t.submit('j1');
    t.queued('p1', 'c1');
    t.submitted('j1', 'p1');
    t.add({ kind: 'fault', fault: restartLabel, faultType: 'restart' });
    t.success('p1');
    t.completed('j1', 'p1');
    const j = judge(t.events, scenarioWith({ faults: [restartOnStart], expect: { j1: 'lost' } }));
    expect(j.verdict).toBe('fail');
    expect(j.unfired).toBeUndefined();
  });

  it('a failure that does not rest on the fault still fails (a phantom completion), and the unfired fault is listed', () => {
    const t = new TraceBuilder();
    t.submit('j1');
    t.queued('p1', null);
    t.submitted('j1', 'p1');
    t.prompt('error', 'p1');
    t.completed('j1', 'p1');
    const j = judge(t.events, scenarioWith({ faults: [restartOnStart] }));
    expect(j.verdict).toBe('fail');
    expect(j.reason).toMatch(/no-phantom|failures-are-failures/);
    expect(j.unfired?.[0]?.fault).toBe(restartLabel);
  });

  it('counts prompts, connections and requests in its reasons', () => {
    const t = new TraceBuilder();
    t.connect(1);
    t.happyJob('j1', 'p1');
    const j = judge(t.events, scenarioWith({
      faults: [
        { type: 'terminate', at: { on: 'message', type: 'executed', prompt: 2 } },
        { type: 'terminate', at: { on: 'connect', occurrence: 3 } },
        { type: 'http_status', path: '/history/*', status: 503, at: { on: 'request', path: '/history/*', occurrence: 2 } },
      ],
    }));
    expect(j.verdict).toBe('inconclusive');
    expect(j.unfired?.map((u) => u.why)).toEqual([
      'the server accepted 1 prompt, so there was no prompt 2 to send executed about',
      'the client opened 1 WebSocket connection; the trigger waited for #3',
      'the client made 0 requests to /history/*; the trigger waited for #2',
    ]);
  });

  it('a phase trigger (prompt started, history written) says which prompt never got there', () => {
    const t = new TraceBuilder();
    t.submit('j1');
    t.queued('p1');
    t.submitted('j1', 'p1');
    t.prompt('deleted', 'p1');
    t.failed('j1', 'interrupted', { prompt_id: 'p1' });
    const j = judge(t.events, scenarioWith({
      faults: [
        { type: 'restart', at: { on: 'prompt', event: 'started', prompt: 1 } },
        { type: 'terminate', at: { on: 'prompt', event: 'history_written', prompt: 2 } },
      ],
      expect: { j1: 'interrupted' },
    }));
    expect(j.verdict).toBe('inconclusive');
    expect(j.unfired?.map((u) => u.why)).toEqual(['prompt 1 ended deleted before it started', 'the server accepted 1 prompt, so prompt 2 never existed']);
  });

  it('an HTTP fault that fired but shaped no request tested nothing', () => {
    const t = new TraceBuilder();
    t.add({ kind: 'fault', fault: 'http_status at 0ms', faultType: 'http_status' });
    t.happyJob('j1', 'p1');
    const j = judge(t.events, scenarioWith({ faults: [{ type: 'http_status', path: '/history/*', status: 503, at: { on: 'time', afterMs: 0 } }] }));
    expect(j.verdict).toBe('inconclusive');
    expect(j.unfired?.[0]).toMatchObject({ firedAt: 0, why: expect.stringMatching(/fired at trace line 0, but no request to \/history\/\* came/) });
    expect(j.reason).toMatch(/^fault "http_status at 0ms" acted on nothing: /);
  });
});

describe('inconclusive: a fault that fired but reached no client', () => {
  it('a terminate while no socket was open (a client that only polls) tested nothing; with a socket open it is judged', () => {
    const fault = { type: 'terminate', at: { on: 'message', type: 'executed' } } as const;
    const build = (socket: boolean) => {
      const t = new TraceBuilder();
      if (socket) t.connect(1);
      t.happyJob('j1', 'p1');
      t.add({ kind: 'fault', fault: 'terminate before executed', faultType: 'terminate' });
      return t.events;
    };
    const polled = judge(build(false), scenarioWith({ faults: [fault] }));
    expect(polled.verdict).toBe('inconclusive');
    expect(polled.unfired?.[0]?.why).toMatch(/no WebSocket was open then \(the client never opened one\)/);
    expect(judge(build(true), scenarioWith({ faults: [fault] })).verdict).toBe('pass');
  });
});

describe('inconclusive: a deaf reconnect needs a reconnect', () => {
  it('one connection after the fault is not a reconnect; a second with the same clientId is', () => {
    const fault = { type: 'deaf_reconnect', at: { on: 'time', afterMs: 0 } } as const;
    const build = (reconnect: boolean) => {
      const t = new TraceBuilder();
      t.add({ kind: 'fault', fault: 'deaf_reconnect at 0ms', faultType: 'deaf_reconnect' });
      t.connect(1, 'c1');
      if (reconnect) {
        t.close(1);
        t.connect(2, 'c1');
      }
      t.happyJob('j1', 'p1');
      return t.events;
    };
    const once = judge(build(false), scenarioWith({ faults: [fault] }));
    expect(once.verdict).toBe('inconclusive');
    expect(once.unfired?.[0]?.why).toMatch(/never reconnected with the same clientId/);
    expect(judge(build(true), scenarioWith({ faults: [fault] })).verdict).toBe('pass');
  });
});

describe('non-strict: giving up honestly after a refused submission', () => {
  const refusal = { type: 'http_status', path: '/prompt', status: 500, at: { on: 'time', afterMs: 0 } } as const;

  it('POST /prompt answered 500, nothing queued, the client reported failed: non-strict, with the request as evidence', () => {
    const t = new TraceBuilder();
    t.add({ kind: 'fault', fault: 'http_status at 0ms', faultType: 'http_status' });
    t.submit('j1');
    const refused = t.add({ kind: 'http', method: 'POST', path: '/prompt', query: '', status: 500, fault: 'http_status 500', response: '500: simulated failure' });
    t.failed('j1', 'error');
    const j = judge(t.events, scenarioWith({ faults: [refusal] }));
    expect(j.verdict).toBe('non-strict');
    expect(j.reason).toMatch(new RegExp(`POST /prompt answered 500 .*\\(trace line ${refused.seq}\\), nothing was queued`));
    expect(j.findings.every((f) => f.informational)).toBe(true);
  });

  it('a job that was queued and then reported failed is not a refusal given up: fail', () => {
    const t = new TraceBuilder();
    t.add({ kind: 'fault', fault: 'http_status at 0ms', faultType: 'http_status' });
    t.submit('j1');
    t.add({ kind: 'http', method: 'POST', path: '/prompt', query: '', status: 500, fault: 'http_status 500' });
    t.add({ kind: 'http', method: 'POST', path: '/prompt', query: '', status: 200, response: JSON.stringify({ prompt_id: 'p1' }) });
    t.queued('p1');
    t.submitted('j1', 'p1');
    t.success('p1');
    t.failed('j1', 'error', { prompt_id: 'p1' });
    expect(judge(t.events, scenarioWith({ faults: [refusal] })).verdict).toBe('fail');
  });

  it('when the scenario expects failed, giving up is simply right: pass', () => {
    const t = new TraceBuilder();
    t.add({ kind: 'fault', fault: 'http_status at 0ms', faultType: 'http_status' });
    t.submit('j1');
    t.add({ kind: 'http', method: 'POST', path: '/prompt', query: '', status: 429, fault: 'http_status 429' });
    t.failed('j1', 'error');
    expect(judge(t.events, scenarioWith({ faults: [{ ...refusal, status: 429 }], expect: { j1: 'failed' } })).verdict).toBe('pass');
  });
});

describe('blame the right party', () => {
  const cancelled = () => {
    const t = new TraceBuilder();
    t.submit('j1');
    t.queued('p1');
    t.submitted('j1', 'p1');
    const cancel = t.client({ type: 'harness_cancel', id: 'j1' });
    return { t, cancel };
  };

  it("the client's cancel request was refused (form-encoded POST /queue answered 400): the finding says so, with the request", () => {
    const { t, cancel } = cancelled();
    const post = t.add({ kind: 'http', method: 'POST', path: '/queue', query: '', status: 400, request: '<14 bytes application/x-www-form-urlencoded>', response: 'POST /queue: the request body is not valid JSON' });
    t.success('p1');
    t.completed('j1', 'p1');
    const j = judge(t.events, scenarioWith({ expect: { j1: 'interrupted' } }));
    expect(j.verdict).toBe('fail');
    const f = j.findings.find((x) => x.invariant === 'expected-outcome');
    expect(f?.message).toMatch(/the client's cancel request was refused: POST \/queue <14 bytes application\/x-www-form-urlencoded> answered 400 "POST \/queue: the request body is not valid JSON"/);
    expect(f?.evidence).toEqual(expect.arrayContaining([cancel.seq, post.seq]));
    expect(j.findings.some((x) => /did not go as the scenario meant/.test(x.message))).toBe(false);
  });

  it('a client that sends no cancel request at all: said so', () => {
    const { t } = cancelled();
    t.success('p1');
    t.completed('j1', 'p1');
    const j = judge(t.events, scenarioWith({ expect: { j1: 'interrupted' } }));
    expect(j.reason).toMatch(/sent no cancel request/);
  });

  it('a cancel the harness sent after the job had ended on the server is not blamed on the client', () => {
    const t = new TraceBuilder();
    t.submit('j1');
    t.queued('p1');
    t.submitted('j1', 'p1');
    t.success('p1');
    t.client({ type: 'harness_cancel', id: 'j1' });
    t.completed('j1', 'p1');
    const j = judge(t.events, scenarioWith({ expect: { j1: 'interrupted' } }));
    expect(j.findings.some((x) => /sent no cancel request/.test(x.message))).toBe(false);
    expect(j.findings.some((x) => /did not go as the scenario meant/.test(x.message))).toBe(true);
  });

  it('a faithful client whose job was cut short by no act of its own still gets the neutral message', () => {
    const t = new TraceBuilder();
    t.submit('j1');
    t.queued('p1');
    t.submitted('j1', 'p1');
    t.prompt('interrupted', 'p1');
    t.failed('j1', 'interrupted', { prompt_id: 'p1' });
    const j = judge(t.events, scenarioWith());
    expect(j.findings.some((x) => /did not go as the scenario meant/.test(x.message))).toBe(true);
  });
});

describe('cause and effect in every finding', () => {
  it('names the fault that fired and the connection events after it, and says there was no reconnect', () => {
    const t = new TraceBuilder();
    t.connect(1);
    t.submit('j1');
    t.queued('p1');
    t.submitted('j1', 'p1');
    const fault = t.add({ kind: 'fault', fault: 'terminate before executed', faultType: 'terminate' });
    const close = t.close(1);
    const success = t.success('p1');
    const j = judge(t.events, scenarioWith({ faults: [{ type: 'terminate', at: { on: 'message', type: 'executed' } }] }));
    const lost = j.findings.find((f) => f.invariant === 'no-lost-completion');
    expect(lost?.cause).toBe(`terminate before executed at line ${fault.seq}; then close 1006 by the server (conn 1) at line ${close.seq}; no reconnect`);
    expect(lost?.evidence).toEqual(expect.arrayContaining([fault.seq, close.seq, success.seq]));
  });

  it('a reconnect after the close is listed, and then there is no "no reconnect"', () => {
    const t = new TraceBuilder();
    t.connect(1);
    t.submit('j1');
    t.queued('p1');
    t.add({ kind: 'fault', fault: 'terminate before executed', faultType: 'terminate' });
    t.close(1);
    t.connect(2);
    t.success('p1');
    const j = judge(t.events, scenarioWith({ faults: [{ type: 'terminate', at: { on: 'message', type: 'executed' } }] }));
    const cause = j.findings.find((f) => f.invariant === 'no-lost-completion')?.cause;
    expect(cause).toMatch(/close 1006 .*, connect \(conn 2\) at line \d+$/);
  });
});
