/**
 * Asynchronous clean-up that must run when the CLI is stopped by a signal, before the process
 * exits: what `process.on('exit')` hooks cannot do because they must be synchronous (stopping a
 * Docker container through the engine's API). Synchronous clean-up (killing child processes)
 * stays in exit hooks, which run anyway.
 */
const hooks = new Set<() => Promise<unknown>>();

/** Registers a clean-up; returns the function that removes it again (call it once disposed normally). */
export function onStop(hook: () => Promise<unknown>): () => void {
  hooks.add(hook);
  return () => hooks.delete(hook);
}

/**
 * Runs every registered clean-up at once and resolves when all have ended or `timeoutMs` passed
 * [default 5 000], whichever is first; a failing one does not stop the others.
 */
export async function runStopHooks(timeoutMs = 5_000): Promise<void> {
  const pending = [...hooks].map((hook) => hook().catch(() => undefined));
  hooks.clear();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(pending), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  clearTimeout(timer);
}
