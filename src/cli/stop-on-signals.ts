import { constants } from 'node:os';
import { runStopHooks } from '../harness/stop-hooks.ts';

/** The signals that stop a command: Ctrl-C, `kill`, and a closed terminal. */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Makes SIGINT, SIGTERM and SIGHUP stop the process the same way: a line on stderr, then
 * `process.exit(128 + signal number)`, which runs the harness's exit hooks, so driver processes
 * (in their own process groups, out of reach of a terminal's Ctrl-C), relays and a Toxiproxy
 * server this process started are killed with it; asynchronous clean-up registered with
 * `onStop` (src/harness/stop-hooks.ts: a Toxiproxy container) runs first, for at most 5 s.
 * Without a handler, Node dies of SIGTERM or SIGHUP without running those hooks and leaves the
 * children running. A second signal while stopping is ignored. Returns a function that removes
 * the handlers (for callers, such as tests, that run commands in-process).
 */
export function stopOnSignals(stderr: NodeJS.WritableStream = process.stderr): () => void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    stderr.write(`comfy-chaos: ${signal}, stopping\n`);
    // Asynchronous clean-up first (a Toxiproxy container), bounded; then the synchronous exit hooks.
    void runStopHooks(5_000).finally(() => process.exit(128 + (constants.signals[signal] ?? 0)));
  };
  for (const signal of STOP_SIGNALS) process.on(signal, handler);
  return () => {
    for (const signal of STOP_SIGNALS) process.off(signal, handler);
  };
}
