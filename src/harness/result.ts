import type { TraceEvent } from '../protocol/index.ts';
import type { InvariantName } from '../scenarios/scenario.ts';

/**
 * Conventions of a run's trace, shared by the runner (which writes them) and the oracle (which
 * reads them):
 * - the simulator writes the server's ground truth (`kind: 'prompt'`, `ws_*`, `http`, `fault`);
 * - the runner writes what the harness asked of the client as `kind: 'client'` events with
 *   `event: { type: 'harness_submit', id, window, server }` and `{ type: 'harness_cancel', id }`;
 * - every event the client reported is a `kind: 'client'` event whose `event` is a driver event
 *   (src/protocol/driver.ts: `submitted`, `progress`, `completed`, `failed`, `log`, ...) plus
 *   `window` (the window that reported it) when the client has windows;
 * - the runner writes `kind: 'client'`, `event: { type: 'client_exit', code, signal, stderr }`
 *   when a driver process ends, and `{ type: 'client_error', message }` for junk or crashes;
 * - toxic changes are `kind: 'toxic'`; `kind: 'note'` with `message: 'network healthy'` marks
 *   the end of the last network fault (the start of the recovery bound).
 */
export const verdictNames = ['pass', 'degraded', 'non-strict', 'fail', 'inconclusive', 'skipped', 'harness-error'] as const;

/**
 * The verdict of one scenario x client (README, "Verdicts", has the same table):
 * - `pass`: every invariant held;
 * - `degraded`: correct, but a job was reported later than the scenario's latency bound;
 * - `non-strict`: correct, but the client gave up where a retry would have succeeded (a refused
 *   POST /prompt reported as failed: nothing lost, duplicated or invented), as Autobahn's NON-STRICT;
 * - `fail`: an invariant broke (the findings say which, with the fault and the trace lines);
 * - `inconclusive`: a fault of the scenario never fired, so it tested nothing (`unfired` says which and why);
 * - `skipped`: not run (no Toxiproxy, a transport or capability the client lacks);
 * - `harness-error`: the simulator or the harness itself failed (`harnessError` has the stack);
 *   never the client's fault, and the run goes on.
 */
export type Verdict = (typeof verdictNames)[number];

/** Verdicts that make `comfy-chaos run` exit 1 unless `--fail-on` says otherwise. */
export const defaultFailOn: readonly Verdict[] = ['fail', 'harness-error'];

/** What a verdict means, in one line, for reports and the README's table. */
export const verdictMeaning: Readonly<Record<Verdict, string>> = {
  pass: 'every invariant held',
  degraded: 'correct, but slower than the scenario latency bound',
  'non-strict': 'correct, but the client gave up where a retry would have succeeded (nothing lost, duplicated or invented)',
  fail: 'an invariant broke: the client lost, duplicated, invented or misreported a job',
  inconclusive: 'a fault of the scenario never fired, so nothing was tested',
  skipped: 'not run here (no Toxiproxy, a transport or capability the client lacks)',
  'harness-error': 'the simulator or the harness itself failed; never the client\'s fault',
};

/** A failure inside the simulator or harness (a bug of ours), as the result carries it. */
export interface HarnessError {
  /** The part that failed: `http`, `ws`, `engine` (the simulator's `internal_error`), `harness`, `process` (an unhandled rejection). */
  where: string;
  message: string;
  stack?: string;
  /** The trace line of its `internal_error`, when there is one. */
  seq?: number;
}

/** A fault of the scenario that never fired, and why, as far as the trace tells. */
export interface UnfiredFault {
  /** `restart before execution_start of prompt 1`. */
  fault: string;
  faultType: string;
  why: string;
  /** The trace line where it fired, when it fired but acted on nothing (no socket open, no request of its path). */
  firedAt?: number;
}

/** One broken invariant, with the trace lines (sequence numbers) that show it. */
export interface Finding {
  invariant: InvariantName;
  /** The job it is about, if any. */
  job?: string;
  message: string;
  evidence: number[];
  /** Reported but not failing (the scenario declared this invariant informational, or a fault it rests on never fired). */
  informational?: boolean;
  /**
   * Cause and effect: the fault that fired before it and the connection events that followed,
   * e.g. `terminate before executed of prompt 1 at line 41; close 1006 (conn 1) at line 42; no reconnect`.
   * Their lines are in `evidence` too.
   */
  cause?: string;
}

/** Counts in the manner of Jepsen's queue checker. */
export interface RunCounts {
  /** Jobs the server accepted (POST /prompt answered 200). */
  acknowledged: number;
  completedOnServer: number;
  /** Jobs the client reported completed. */
  reported: number;
  lost: number;
  duplicated: number;
  phantom: number;
  /** Reported only after a reconnect or by polling. */
  recovered: number;
}

export interface ScenarioResult {
  scenario: { id: string; name: string; purpose: string; cites?: string };
  client: string;
  transport: 'memory' | 'network';
  /** The ComfyUI profile the simulators played (src/simulator/profiles); absent in reports written before profiles, which ran the baseline 0.3.64. */
  comfyui?: string;
  seed: number;
  verdict: Verdict;
  /** Why it was skipped, or a one-line summary of the failure. */
  reason?: string;
  findings: Finding[];
  counts: RunCounts;
  /** `harness-error`: what failed inside the simulator or harness, with its stack. */
  harnessError?: HarnessError;
  /** Faults of the scenario that never fired (the verdict is `inconclusive` unless a failure stands without them). */
  unfired?: UnfiredFault[];
  /** Ms of the run's clock (virtual on memory) and of real time. */
  runMs: number;
  wallMs: number;
  /** The command that runs exactly this again. */
  replay: string;
  trace: readonly TraceEvent[];
}
