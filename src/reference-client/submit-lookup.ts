import { describeError, ReferenceClientError } from './errors.ts';
import type { ComfyHttp, QueueSnapshot } from './http-api.ts';

/**
 * The `extra_data` key under which the reference client sends each job's submit id. ComfyUI keeps
 * `extra_data` as given and echoes it in `/queue` items and `/history` entries (item[3]), so a job
 * can be found by it on a server that ignored the client's `prompt_id` (before 2025-07-14).
 */
export const SUBMIT_ID_KEY = 'reference_client_submit_id';

/** How many recent history entries a lookup reads: a lost reply is found within seconds, not thousands of prompts later. */
const RECENT_HISTORY = 256;

export type SubmitLookup =
  | { kind: 'found'; promptId: string }
  | { kind: 'absent' }
  | { kind: 'unreachable'; error: string };

/**
 * Finds the prompt a job was posted as, by the submit id in its `extra_data`: `/queue` first (the
 * `queue` snapshot a look just read, else a fresh one), then recent `/history`.
 */
export async function findBySubmitId(http: ComfyHttp, server: string, submitId: string, queue?: QueueSnapshot): Promise<SubmitLookup> {
  try {
    queue ??= await http.getQueue(server);
    for (const [promptId, extra] of queue.extraData) if (extra[SUBMIT_ID_KEY] === submitId) return { kind: 'found', promptId };
    // A server without the history list (every ComfyUI has it; some fakes and fronts do not) cannot tell.
    const recent = await http.getRecentExtraData(server, RECENT_HISTORY).catch((error: unknown) => {
      if (error instanceof ReferenceClientError && error.status === 404) return new Map<string, Record<string, unknown>>();
      throw error;
    });
    for (const [promptId, extra] of recent) if (extra[SUBMIT_ID_KEY] === submitId) return { kind: 'found', promptId };
    return { kind: 'absent' };
  } catch (error) {
    return { kind: 'unreachable', error: describeError(error) };
  }
}
