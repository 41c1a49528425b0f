/**
 * Real third-party ComfyUI clients, unmodified (clients/third-party), judged by the catalogue on
 * the network transport (issue 12, "Real clients in our own CI"). Each client's verdict per
 * scenario is asserted, and every expected failure names the library code that explains it (the
 * `because` of each row, file and line of the installed library: see each client's README). The
 * table comes from reading the libraries' code, not from a run's output.
 *
 * Across all of them, none of the false-alarm classes of issue 12 may occur: no failure on output
 * shape alone, no failure of a scenario whose fault never fired, no failure from a pool of
 * servers the client did not ask for, no harness error.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { executePlan, selectScenarios } from '../../../src/harness/run-plan.ts';
import type { ScenarioResult, Verdict } from '../../../src/harness/result.ts';
import type { InvariantName } from '../../../src/scenarios/scenario.ts';
import { commandOf, missingClients, thirdPartyClients, type ThirdPartyClient } from './third-party-clients.ts';

/** The scenarios that tell these clients apart, one or two per false-alarm class; ~5 minutes with concurrency 2. */
const scenarioIds = ['6.1', '1.6', '2.3', '3.4', '3.6', '5.1', '5.5', '6.5', '6.6', '6.8'] as const;
type ScenarioId = (typeof scenarioIds)[number];

interface Expected {
  /** The verdict; several where the library's own race decides between them (`because` says which race). */
  verdict: Verdict | readonly Verdict[];
  /** Invariants that must be among the failing ones. */
  invariants?: InvariantName[];
  /** The library behaviour behind a verdict that is not `pass` (file:line of the installed library). */
  because?: string;
}

/**
 * Correct: `pass`, or `degraded` when the machine is slow, since degraded is a pass with a latency
 * above the scenario's bound, and latency is for bench/, not for a test's assertion.
 */
const pass: Expected = { verdict: ['pass', 'degraded'] };
const verdictsOf = (want: Expected): readonly Verdict[] => (Array.isArray(want.verdict) ? want.verdict : [want.verdict as Verdict]);
/** 3.4: POST /prompt answers 500 once; none of them retries a refused submission, nothing is queued, nothing lost. */
const gaveUp = (because: string): Expected => ({ verdict: 'non-strict', because });
/** A socket or frame fault for a client that only polls: it acts on nothing, so the scenario tested nothing. */
const noSocket = (because: string): Expected => ({ verdict: 'inconclusive', because });
/** 6.8: a pool of two servers; no driver declares more than one, so the scenario is skipped, never failed. */
const onePool: Expected = { verdict: 'skipped', because: 'the driver declares one server (the library takes one URL)' };

const expected: Record<ThirdPartyClient, Record<ScenarioId, Expected>> = {
  'comfy-toolkit': {
    '6.1': pass,
    '1.6': pass, // non-JSON frames are skipped: json.loads in a try (tracking.py:178-181)
    '2.3': pass, // after the drop every recv() raises and it reads /history in a loop (tracking.py:163-173): found
    '3.4': gaveUp('ComfySubmitError on the 500, no retry (client.py:220-225)'),
    '3.6': pass, // execution_success first, then up to 20 /history reads a second apart (tracking.py:208-211, 231-240)
    '5.1': {
      verdict: 'fail',
      invariants: ['failures-are-failures'],
      because: 'a missing history entry is "not yet" (client.py:244-251): it polls /history until overall_timeout (600 s), never lost',
    },
    '5.5': pass, // recv_timeout (the hint's 1.5 s) then a /history read (tracking.py:164-173)
    '6.5': {
      verdict: ['fail', 'pass'],
      invariants: ['expected-outcome'],
      because:
        'its only cancel is a global POST /interrupt (client.py:195-197): when j1 runs it stops j1 and the queued j2 completes; which job runs first is the race of its two threads, and it passes only when j2 won and its socket is the older, deaf one, so the interrupt is read from history',
    },
    '6.6': {
      verdict: 'fail',
      invariants: ['failures-are-failures'],
      because: 'an execution_interrupted frame raises the same ComfyExecutionError as an error, with only the frame data as detail (tracking.py:213-223): reported as an error',
    },
    '6.8': onePool,
  },
  comfyapi: {
    '6.1': pass,
    '1.6': noSocket('it polls /history (client.py:194-241) and never opens a WebSocket'),
    '2.3': noSocket('it polls /history (client.py:194-241) and never opens a WebSocket'),
    '3.4': gaveUp('QueueError on the 500, no retry (client.py:151-166)'),
    '3.6': pass,
    '5.1': {
      verdict: 'fail',
      invariants: ['failures-are-failures'],
      because: '_get_history turns the 404 of a forgotten prompt into None and the loop polls on for 600 s (client.py:183-192, 203-238)',
    },
    '5.5': noSocket('it polls /history (client.py:194-241) and never opens a WebSocket'),
    '6.5': { verdict: 'skipped', because: 'comfyapi has no cancel' },
    '6.6': { verdict: 'skipped', because: 'comfyapi has no cancel' },
    '6.8': onePool,
  },
  'comfyui-utils': {
    '6.1': pass,
    '1.6': {
      verdict: 'fail',
      invariants: ['no-lost-completion'],
      because: 'json.loads of every text frame (comfy.py:92): the HTML page raises and submit() fails, the job goes on and succeeds',
    },
    '2.3': {
      verdict: 'fail',
      invariants: ['no-lost-completion'],
      because: '`async for msg in ws` ends on the close (comfy.py:87): submit() returns without completed(), no reconnect',
    },
    '3.4': gaveUp('a refused submission raises (comfy.py:141-150), no retry'),
    '3.6': pass, // the first executed ends the job with its output (comfy.py:108-111), before history is read at all
    // The restart closes the socket: submit() returns without completed() (comfy.py:87), which the caller can only read as a failure.
    '5.1': pass,
    '5.5': {
      verdict: 'fail',
      invariants: ['no-lost-completion'],
      because: 'no receive timeout and no polling (comfy.py:85-87, aiohttp ws_receive=None): the executed frame dropped in the silence is waited for for ever',
    },
    '6.5': { verdict: 'skipped', because: 'comfyui-utils has no cancel' },
    '6.6': { verdict: 'skipped', because: 'comfyui-utils has no cancel' },
    '6.8': onePool,
  },
  'comfyui-workflow-client': {
    '6.1': pass,
    '1.6': noSocket('the synchronous client polls /history every second (client.py:378-397) and never opens a WebSocket'),
    '2.3': noSocket('the synchronous client polls /history every second (client.py:378-397) and never opens a WebSocket'),
    '3.4': gaveUp('ConnectionError from raise_for_status on the 500, no retry (client.py:341, 346-347)'),
    '3.6': pass,
    '5.1': {
      verdict: 'fail',
      invariants: ['failures-are-failures'],
      because: 'errors while polling are swallowed, a 404 too (client.py:388-394): a forgotten prompt is polled for 300 s',
    },
    '5.5': noSocket('the synchronous client polls /history every second (client.py:378-397) and never opens a WebSocket'),
    '6.5': { verdict: 'skipped', because: 'comfyui-workflow-client has no cancel' },
    '6.6': { verdict: 'skipped', because: 'comfyui-workflow-client has no cancel' },
    '6.8': onePool,
  },
  'stable-canvas-comfyui-client': {
    '6.1': pass,
    '1.6': {
      verdict: 'fail',
      invariants: ['no-lost-completion'],
      because: 'JSON.parse in the async message listener (src/client/WsClient.ts:440, 475): an unhandled rejection ends the Node process',
    },
    '2.3': {
      verdict: 'fail',
      invariants: ['no-lost-completion'],
      because: 'it reconnects 300 ms later (WsClient.ts:416-424) but never resyncs: the executed sent while it was down is lost for good',
    },
    '3.4': gaveUp('fetchApi throws on the 500 (WsClient.ts:251-257), enqueue has no retry'),
    '3.6': pass, // the first executed of its prompt resolves enqueue (Client.ts:702-716)
    '5.1': {
      verdict: 'fail',
      invariants: ['failures-are-failures'],
      because: 'reconnect without resync (WsClient.ts:416-424): nothing notices that the restarted server forgot the prompt; enqueue waits for its 5-minute timeout (Client.ts:724-727)',
    },
    '5.5': {
      verdict: 'fail',
      invariants: ['no-lost-completion'],
      because: 'no silence detection and no polling: the executed frame dropped in the silence is waited for until the 5-minute timeout (Client.ts:724-727)',
    },
    '6.5': {
      verdict: 'fail',
      invariants: ['failures-are-failures'],
      because: 'deleteItem removes the queued prompt, but enqueue never hears of it: it listens to executed and execution_error only (Client.ts:685-723)',
    },
    '6.6': {
      verdict: 'fail',
      invariants: ['failures-are-failures'],
      because: 'interrupt(prompt_id) stops it, but enqueue does not listen to execution_interrupted (Client.ts:685-723): it waits for its 5-minute timeout',
    },
    '6.8': onePool,
  },
  'saintno-comfyui-sdk': {
    '6.1': pass,
    '1.6': pass, // JSON.parse inside a try: a bad frame is logged and skipped (src/client.ts:1101-1119)
    '2.3': pass, // re-opens the socket (client.ts:937-1004); the status on connect makes it read /queue, then /history (src/call-wrapper.ts:210-238)
    '3.4': gaveUp('the non-200 reply is thrown (client.ts:305-307): EnqueueFailedError, no retry'),
    '3.6': pass, // done when every named output node sent executed (call-wrapper.ts:415-434), before history is read
    '5.1': pass, // after the restart, the status on connect finds the prompt in neither /queue nor /history: WentMissingError, lost (call-wrapper.ts:210-238)
    '5.5': {
      verdict: 'fail',
      invariants: ['no-lost-completion'],
      because:
        'the silence check re-opens the socket once (client.ts:1134-1141), but its `reconnecting` flag lives in the first socket\'s closure and only that socket\'s onopen clears it (client.ts:1021, 1039-1047): the check never fires again, and the status of the new socket fell in the silence',
    },
    '6.5': {
      verdict: 'fail',
      invariants: ['failures-are-failures'],
      because: 'the deleted prompt is gone from /queue and /history, which its status check calls WentMissingError (call-wrapper.ts:210-238): reported lost, not interrupted',
    },
    '6.6': {
      verdict: ['fail', 'pass'],
      invariants: ['failures-are-failures'],
      because:
        'its executing listener is added only after the POST /prompt reply is parsed (call-wrapper.ts:162-203): when the first executing frames beat it, the interrupted listener is never added (242-265) and the status check calls the interrupted prompt WentMissingError (210-238), lost; when the listener is in time, the interrupt is read as such',
    },
    '6.8': onePool,
  },
};

const sink = { write: () => true } as unknown as NodeJS.WritableStream;
const missing = missingClients();
const strict = process.env.COMFY_CHAOS_STRICT === '1';

describe.skipIf(missing !== undefined && !strict)('real third-party clients, unmodified, on the network transport', () => {
  const results = new Map<string, ScenarioResult>(); // `${client} ${scenario}` -> result
  const resultOf = (client: ThirdPartyClient, id: ScenarioId) => results.get(`${client} ${id}`);

  beforeAll(async () => {
    if (missing) throw new Error(`COMFY_CHAOS_STRICT=1 and ${missing}`);
    const run = await executePlan(
      {
        scenarios: selectScenarios([...scenarioIds]),
        clients: thirdPartyClients.map((client) => `${client}=${commandOf(client)}`),
        transport: 'network',
        seed: 1,
        concurrency: 2,
        reportDir: join(mkdtempSync(join(tmpdir(), 'cc-third-party-')), 'report'),
        strict: false,
      },
      sink,
    );
    for (const r of run) results.set(`${r.client} ${r.scenario.id}`, r);
  }, 420_000);

  const describeResult = (r: ScenarioResult | undefined) =>
    r ? `${r.verdict}${r.reason ? `: ${r.reason}` : ''}${r.findings.length ? ` [${r.findings.map((f) => `${f.invariant}: ${f.message}`).join(' | ')}]` : ''}` : 'no result';

  for (const client of thirdPartyClients) {
    describe(client, () => {
      for (const id of scenarioIds) {
        const want = expected[client][id];
        it(`${id}: ${verdictsOf(want).join(' or ')}${want.because ? ` (${want.because})` : ''}`, () => {
          const got = resultOf(client, id);
          expect(verdictsOf(want), describeResult(got)).toContain(got?.verdict);
          const failing = got!.findings.filter((f) => !f.informational).map((f) => f.invariant);
          if (got!.verdict === 'fail') for (const invariant of want.invariants ?? []) expect(failing, describeResult(got)).toContain(invariant);
        });
      }
    });
  }

  describe('no false alarm on any of them', () => {
    const all = () => [...results.values()];

    it('ran every client on every scenario', () => {
      expect(all()).toHaveLength(thirdPartyClients.length * scenarioIds.length);
    });

    it('no failure on output shape alone: a failure always breaks something besides right-outputs', () => {
      const shapeOnly = all().filter((r) => r.verdict === 'fail' && r.findings.filter((f) => !f.informational).every((f) => f.invariant === 'right-outputs'));
      expect(shapeOnly.map((r) => `${r.client} ${r.scenario.id}: ${describeResult(r)}`)).toEqual([]);
    });

    it('no failure rests on a fault that never fired: what the scenario expected of it is not judged, the run is inconclusive unless another failure stands', () => {
      for (const r of all().filter((r) => (r.unfired?.length ?? 0) > 0)) {
        expect(['inconclusive', 'fail', 'skipped'], describeResult(r)).toContain(r.verdict);
        const judgedExpectations = r.findings.filter((f) => !f.informational && f.invariant === 'expected-outcome');
        expect(judgedExpectations.map((f) => f.message), describeResult(r)).toEqual([]);
      }
      for (const r of all().filter((r) => r.verdict === 'inconclusive')) {
        expect(r.unfired?.length, describeResult(r)).toBeGreaterThan(0);
        expect(r.reason, describeResult(r)).toMatch(/never fired|acted on nothing/);
      }
    });

    it('a pool of servers nobody declared is skipped, saying so, never failed', () => {
      for (const client of thirdPartyClients) {
        const pool = resultOf(client, '6.8');
        expect(pool?.verdict, describeResult(pool)).toBe('skipped');
        expect(pool?.reason ?? '').toMatch(/server/);
      }
    });

    it('no harness error', () => {
      expect(all().filter((r) => r.verdict === 'harness-error').map((r) => `${r.client} ${r.scenario.id}: ${r.harnessError?.message}`)).toEqual([]);
    });
  });
});
