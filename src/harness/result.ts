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
export type Verdict = 'pass' | 'degraded' | 'fail' | 'skipped';

/** One broken invariant, with the trace lines (sequence numbers) that show it. */
export interface Finding {
  invariant: InvariantName;
  /** The job it is about, if any. */
  job?: string;
  message: string;
  evidence: number[];
  /** Reported but not failing (the scenario declared this invariant informational). */
  informational?: boolean;
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
  seed: number;
  verdict: Verdict;
  /** Why it was skipped, or a one-line summary of the failure. */
  reason?: string;
  findings: Finding[];
  counts: RunCounts;
  /** Ms of the run's clock (virtual on memory) and of real time. */
  runMs: number;
  wallMs: number;
  /** The command that runs exactly this again. */
  replay: string;
  trace: readonly TraceEvent[];
}
