import { describe, expect, it } from 'vitest';
import type { Fault, TraceEvent } from '../../../../src/protocol/index.ts';
import type { Finding, ScenarioResult } from '../../../../src/harness/result.ts';
import { explainedBy, sameBug, signatureOf, summaryOf } from '../../../../src/harness/hunt/index.ts';

const terminate: Fault = { type: 'terminate', at: { on: 'message', when: 'after', type: 'progress', prompt: 1, occurrence: 2 } } as Fault;
const restart: Fault = { type: 'restart', downMs: 500, loseState: true, at: { on: 'prompt', event: 'started', prompt: 1, occurrence: 1 } } as Fault;
const bom: Fault = { type: 'bom', frames: 60, at: { on: 'prompt', event: 'started', prompt: 1, occurrence: 1 } } as Fault;

function result(findings: Partial<Finding>[], trace: Partial<TraceEvent>[]): ScenarioResult {
  return {
    verdict: 'fail',
    findings: findings.map((f) => ({ invariant: 'no-lost-completion', message: 'm', evidence: [], ...f })) as Finding[],
    trace: trace.map((e, i) => ({ seq: i + 1, t: i, ...e })) as TraceEvent[],
  } as unknown as ScenarioResult;
}

const fired = (type: string, seq: number) => ({ seq, kind: 'fault', fault: type, faultType: type }) as unknown as TraceEvent;

describe('signatureOf', () => {
  it('names the invariants broken, the family of the faults the findings cite, and the phase', () => {
    const r = result([{ invariant: 'exactly-once', evidence: [1] }, { invariant: 'no-phantom', informational: true, evidence: [2] }], [fired('terminate', 1), fired('bom', 2)]);
    const s = signatureOf(r, [terminate, bom]);
    expect(s.invariants).toEqual(['exactly-once']);
    expect(s.families).toEqual(['lost socket or restart']);
    expect(s.phases).toEqual(['mid-progress']);
    expect(s.symptom).toEqual({ kind: 'duplicate' });
    expect(summaryOf(s, 1)).toBe('reports a job twice after lost socket or restart mid-progress [exactly-once] (1 fault)');
  });

  it('a crash is its exit code and the error of its stderr, with ids and numbers left out', () => {
    const exit = (line: string) => ({ kind: 'client', event: { type: 'client_exit', code: 1, signal: null, stderr: ['', line] } }) as unknown as TraceEvent;
    const a = signatureOf(result([{ invariant: 'no-hang' }], [exit('TypeError: cannot read 3 of prompt 0b6c2a1e-1111-4222-8333-944455556666')]), []);
    const b = signatureOf(result([{ invariant: 'no-hang' }], [exit('TypeError: cannot read 7 of prompt 9f00aa00-1111-4222-8333-944455556666')]), []);
    expect(a.symptom).toEqual({ kind: 'crash', exit: 'exit 1', stderr: 'TypeError: cannot read N of prompt <id>', error: 'TypeError' });
    expect(a.key).toBe(b.key);
    expect(summaryOf(a, 0)).toMatch(/^crashes \(exit 1: TypeError.*with no fault at all/);
    // A Python traceback is named by its last line, wherever the kept tail of stderr starts.
    const py = signatureOf(result([{ invariant: 'no-hang' }], [exit('File "/x/_core.py", line 12, in recv')]), []);
    const tb = (lines: string[]) => ({ kind: 'client', event: { type: 'client_exit', code: 1, signal: null, stderr: lines } }) as unknown as TraceEvent;
    const closed = 'websocket._exceptions.WebSocketConnectionClosedException: Connection to remote host was lost.';
    const c = signatureOf(result([{ invariant: 'no-hang' }], [tb(['Traceback (most recent call last):', '  File "a.py", line 3', closed])]), []);
    const d = signatureOf(result([{ invariant: 'no-hang' }], [tb(['  File "/x/_core.py", line 9, in recv', closed])]), []);
    expect(c.symptom.stderr).toBe(closed);
    expect(c.key).toBe(d.key);
    expect(py.symptom.stderr).toBe('File "/x/_core.py", line N, in recv');
    // One bare json.loads, two malformed frames, two messages: one bug.
    const json = (m: string) => signatureOf(result([{ invariant: 'no-hang' }], [tb(['Traceback (most recent call last):', `json.decoder.JSONDecodeError: ${m}`])]), []);
    expect(json('Expecting value: line 1 column 1 (char 0)').key).toBe(json("Expecting ',' delimiter: line 1 column 9 (char 8)").key);
    expect(json('Expecting value').key).not.toBe(c.key);
  });

  it('leaves out what the baseline already breaks', () => {
    const r = result([{ invariant: 'right-outputs' }, { invariant: 'no-hang', evidence: [1] }], [fired('bom', 1)]);
    expect(signatureOf(r, [bom], ['right-outputs']).invariants).toEqual(['no-hang']);
    expect(signatureOf(result([{ invariant: 'right-outputs' }], []), [], ['right-outputs']).invariants).toEqual([]);
  });
});

describe('sameBug', () => {
  const sig = (invariants: string[], faults: Fault[], types: string[]) =>
    signatureOf(result(invariants.map((invariant, i) => ({ invariant: invariant as Finding['invariant'], evidence: [i + 1] })), types.map((t, i) => fired(t, i + 1))), faults);

  it('one bug: a terminate and a restart (one family), one invariant in common', () => {
    expect(sameBug(sig(['exactly-once'], [terminate], ['terminate']), sig(['exactly-once', 'no-phantom'], [restart], ['restart', 'restart']))).toBe(true);
  });

  it('a known bug seen with one more fault around it is explained by it; a bug of a new family alone is not', () => {
    const known = sig(['no-hang'], [terminate], ['terminate']);
    const wider = sig(['no-hang', 'no-lost-completion'], [terminate, bom], ['terminate', 'bom']);
    expect(sameBug(known, wider)).toBe(false);
    expect(explainedBy(known, wider)).toBe(true);
    expect(explainedBy(known, sig(['no-hang'], [bom], ['bom']))).toBe(false);
    expect(explainedBy(sig(['no-hang'], [], []), wider)).toBe(false);
  });

  it('two bugs: another fault family, or no invariant in common', () => {
    expect(sameBug(sig(['no-hang'], [terminate], ['terminate']), sig(['no-hang'], [bom], ['bom']))).toBe(false);
    expect(sameBug(sig(['no-hang'], [terminate], ['terminate']), sig(['no-phantom'], [terminate], ['terminate']))).toBe(false);
  });
});
