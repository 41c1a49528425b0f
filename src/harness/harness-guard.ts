import type { TraceRecorder } from '../simulator/trace/trace-recorder.ts';

/**
 * Keeps a harness run alive whatever goes wrong inside it (issue 11). The simulator runs in the
 * harness's process, so an error it failed to catch (a rejection nobody awaited, a throw in an
 * event listener) would end `comfy-chaos run` with a stack trace and no report. While a run is
 * guarded, such an error is written as an `internal_error` (where `process`) into the trace of
 * every scenario running at that moment (the process cannot tell which one caused it), so each
 * of them ends `harness-error` with the stack, and the run goes on with the next scenario.
 *
 * Errors that arrive while no scenario runs (between two, or after the last) are kept in
 * {@link strayHarnessErrors} for the caller to report.
 */

const running = new Set<TraceRecorder>();
let holders = 0;
const strays: { message: string; stack?: string }[] = [];
/** Stray errors kept between two reads, at most. */
const MAX_STRAYS = 50;
/** Uncaught errors written into one scenario's trace, at most. */
const MAX_PER_TRACE = 20;
const recorded = new WeakMap<TraceRecorder, number>();

function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(`a non-Error was thrown: ${String(reason)}`);
}

function recordEverywhere(kind: 'unhandled rejection' | 'uncaught exception', reason: unknown): void {
  const error = asError(reason);
  const message = `${kind}: ${error.message}`;
  if (!running.size) {
    // Kept for the caller to print; bounded, so a loop of errors cannot fill the memory.
    if (strays.length < MAX_STRAYS) strays.push({ message, ...(error.stack ? { stack: error.stack } : {}) });
    else strays[MAX_STRAYS - 1] = { message: `${message} (and more: only the first ${MAX_STRAYS - 1} are kept)` };
    return;
  }
  for (const trace of running) {
    // The first one decides the verdict; a loop of them must not fill the trace.
    const n = (recorded.get(trace) ?? 0) + 1;
    recorded.set(trace, n);
    if (n <= MAX_PER_TRACE) trace.record({ kind: 'internal_error', where: 'process', message, ...(error.stack ? { stack: error.stack } : {}) });
  }
}

const onRejection = (reason: unknown) => recordEverywhere('unhandled rejection', reason);
const onException = (error: unknown) => recordEverywhere('uncaught exception', error);

function hold(): () => void {
  if (holders++ === 0) {
    process.on('unhandledRejection', onRejection);
    process.on('uncaughtException', onException);
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--holders === 0) {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
    }
  };
}

/**
 * Guards the process for as long as a whole plan runs (executePlan): errors between scenarios
 * are kept, not fatal. Returns the release function.
 */
export function guardProcess(): () => void {
  return hold();
}

/** Guards one scenario's run: uncaught errors while it runs go into its trace. Returns the release function. */
export function guardScenario(trace: TraceRecorder): () => void {
  running.add(trace);
  const release = hold();
  return () => {
    running.delete(trace);
    release();
  };
}

/** Uncaught errors that came while no scenario was running, oldest first; `take` empties the list. */
export function strayHarnessErrors(take = false): { message: string; stack?: string }[] {
  const out = [...strays];
  if (take) strays.length = 0;
  return out;
}
