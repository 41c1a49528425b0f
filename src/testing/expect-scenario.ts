import type { ClientUnderTest } from '../harness/adapters/client-under-test.ts';
import { describeFinding } from '../harness/report/index.ts';
import { verdictNote } from '../harness/report/format.ts';
import { verdictNames, type ScenarioResult, type Verdict } from '../harness/result.ts';
import { invariantName, type InvariantName } from '../scenarios/scenario.ts';
import { runNamedScenario, writeResultReport, type RunNamedScenarioOptions, type ScenarioRef } from './scenario-run.ts';

/** A verdict that was not the one a test asked for; `result` holds everything, trace included. */
export class ScenarioAssertionError extends Error {
  override name = 'ScenarioAssertionError';
  readonly code = 'CC_ERR_SCENARIO_ASSERTION';
  constructor(
    message: string,
    readonly result: ScenarioResult,
    /** The trace file the message cites (written when the assertion failed). */
    readonly traceFile?: string,
  ) {
    super(message);
  }
}

/**
 * The verdict line, the findings (with the trace lines that show them), the trace file when one
 * was written, and the replay command, one per line, as `comfy-chaos run` prints them.
 */
export function describeResult(result: ScenarioResult, traceFile?: string): string {
  const lines = [`${result.verdict}  ${result.scenario.id} ${result.scenario.name} [${result.client}] (${result.transport}, seed ${result.seed})`];
  // A harness error carries its stack, an inconclusive run every fault that never fired.
  const note = result.verdict === 'harness-error' || result.verdict === 'inconclusive' ? verdictNote(result, 12) : result.reason;
  if (note) lines.push(note.replace(/^/gm, '  '));
  for (const f of result.findings) lines.push(`  ${describeFinding(f)}`);
  if (traceFile) lines.push(`trace: ${traceFile} (trace line n is the event with "seq": n; index.html beside it shows the timeline)`);
  lines.push(`replay: ${result.replay}`);
  return lines.join('\n');
}

export interface ScenarioExpectation {
  /**
   * Resolves with the result when the verdict is `pass` or `degraded` (correct, only slower than
   * the latency bound). `non-strict`, `inconclusive` and `harness-error` are not passes: use
   * `toHaveVerdict` to accept one of them.
   */
  toPass(): Promise<ScenarioResult>;
  /** Resolves when the verdict is `fail` and `invariant` is among the failing findings. */
  toFailWith(invariant: InvariantName): Promise<ScenarioResult>;
  /** Resolves when the verdict is exactly this one. */
  toHaveVerdict(verdict: Verdict): Promise<ScenarioResult>;
}

/**
 * Runs the scenario against the client when a matcher is called, and throws a
 * {@link ScenarioAssertionError} listing the findings, the trace file it wrote and the replay
 * command when the verdict is not the expected one.
 */
export function expectScenario(ref: ScenarioRef, client: ClientUnderTest, options: RunNamedScenarioOptions = {}): ScenarioExpectation {
  const label = () => `scenario ${typeof ref === 'string' ? ref : ref.id} against ${client.name}`;
  const check = async (ok: (r: ScenarioResult) => boolean, wanted: string) => {
    const result = await runNamedScenario(ref, client, options);
    if (!ok(result)) {
      const traceFile = writeResultReport(result, options.reportDir);
      throw new ScenarioAssertionError(`expected ${label()} to ${wanted}, got:\n${describeResult(result, traceFile)}`, result, traceFile);
    }
    return result;
  };
  return {
    toPass: () => check((r) => r.verdict === 'pass' || r.verdict === 'degraded', 'pass'),
    toFailWith: async (invariant) => {
      if (!invariantName.options.includes(invariant)) {
        throw new TypeError(`comfy-chaos: unknown invariant "${invariant}" (known: ${invariantName.options.join(', ')})`);
      }
      return check((r) => r.verdict === 'fail' && r.findings.some((f) => f.invariant === invariant && !f.informational), `fail with ${invariant}`);
    },
    toHaveVerdict: async (verdict) => {
      if (!verdictNames.includes(verdict)) throw new TypeError(`comfy-chaos: unknown verdict "${verdict}" (known: ${verdictNames.join(', ')})`);
      return check((r) => r.verdict === verdict, `be ${verdict}`);
    },
  };
}
