import { ReferenceClientError } from './errors.ts';

/**
 * Named mutants of the reference client: each plants one realistic bug seen in ComfyUI clients in
 * the field, so that comfy-chaos can show its catalogue has teeth (issue 5, "mutation strength":
 * every mutant must be killed by some scenario; test/integration/mutants/kill-table.test.ts).
 *
 * A mutant is a small branch marked `MUTANT <name>` at the one place in the client where the bug
 * would live, enabled by the option `mutation`. It is never a fork of the client: with no
 * mutation set the client behaves exactly as without this file.
 */
export const mutantNames = [
  /** Ignores every reconnect: no HTTP look at the window's jobs after the socket comes back, so a job that ended while it was down is never heard of. */
  'no-resync-after-reconnect',
  /** Reconnect delays double for ever with no cap, so after a long outage the next attempt is hours away and the attempt limit (the "give up" point) is never reached. */
  'no-backoff-cap',
  /** A frame that starts with a UTF-8 BOM goes to a bare `JSON.parse`, which throws, and the frame is dropped (a re-encoding proxy breaks every message). */
  'bom-not-stripped',
  /** The socket path does not look at what was already reported: a success frame for a job that polling, resync or an earlier frame reported completed is reported completed again. */
  'no-dedupe-polling-websocket',
  /** The fallback poller is never stopped (a forgotten clearInterval) and reports again, on every tick, each job it once saw finished. */
  'polling-never-stops',
  /** The server lock is kept after the window's jobs end, so the window can never move off that server, even when it dies. */
  'lock-never-released',
  /** The lock is released once a job ends although another job of the window is still pending, so the next job may go to another server. */
  'lock-released-while-pending',
  /** No health timer: a socket that is open but silent (ComfyUI#16010, #15240) is trusted for ever and polling never starts. */
  'deaf-socket-detection-off',
  /** A job found in neither `/queue` nor `/history` after a restart is reported completed (with no outputs) instead of lost. */
  'lost-reported-as-completed',
  /** Progress of every window is also delivered to the window opened last (a "current window" global), leaking one window's progress into another. */
  'progress-to-wrong-window',
  /** After `execution_success`, `/history/{id}` is read once; when the entry is not written yet (ComfyUI#11540) the job is reported completed with no outputs. */
  'no-history-retry-after-success-race',
  /** The job timeout fires without the last HTTP check before it, so a job that finished unseen is reported timed out instead of completed. */
  'no-last-check-before-timeout',
] as const;

export type MutantName = (typeof mutantNames)[number];

export interface MutationOptions {
  /**
   * [options.mutation=none] For comfy-chaos's own tests only: plants one named bug (see
   * {@link mutantNames}) to prove that the scenario catalogue catches it. Never set it in an
   * application.
   */
  mutation?: MutantName;
}

export function isMutantName(value: unknown): value is MutantName {
  return typeof value === 'string' && (mutantNames as readonly string[]).includes(value);
}

/** The mutation to plant, or undefined; an unknown name throws `CC_ERR_INVALID_OPTION` listing the known ones. */
export function resolveMutation(options: MutationOptions): MutantName | undefined {
  const value: unknown = options.mutation;
  if (value === undefined) return undefined;
  if (!isMutantName(value)) {
    throw new ReferenceClientError('CC_ERR_INVALID_OPTION', `option mutation must be one of ${mutantNames.join(', ')}; got ${JSON.stringify(value)}`);
  }
  return value;
}
