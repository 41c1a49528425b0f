import type { NodeOutput } from '../protocol/index.ts';
import { describeError } from './errors.ts';
import type { ComfyHttp, TolerantHistoryEntry } from './http-api.ts';

/**
 * What HTTP says about some jobs of one server. Used after every reconnect (resync), by the
 * polling fallback, and before a job's timeout. ComfyUI keeps nothing for a disconnected
 * client, so HTTP is the only way to learn what was missed (comfyui-protocol.md section 5).
 */
export type JobObservation =
  | { kind: 'finished'; entry: TolerantHistoryEntry }
  | { kind: 'queued' }
  | { kind: 'running' }
  /** In neither `/queue` nor `/history`: lost in a restart (or, briefly, a race; so confirm twice). */
  | { kind: 'absent' }
  | { kind: 'unreachable'; error: string };

/**
 * `GET /queue` first, then `GET /history/{id}` per job. In that order because ComfyUI writes the
 * history entry and leaves the running list under one lock: a job that left the queue before
 * the first request is in history by the time of the second, so "in neither" means gone.
 */
export async function observeJobs(http: ComfyHttp, server: string, promptIds: readonly string[]): Promise<Map<string, JobObservation>> {
  const result = new Map<string, JobObservation>();
  let queue: { running: Set<string>; pending: Set<string> } | undefined;
  let queueError = '';
  try {
    queue = await http.getQueue(server);
  } catch (error) {
    queueError = describeError(error);
  }
  for (const promptId of promptIds) {
    let entry: TolerantHistoryEntry | undefined;
    try {
      entry = await http.getHistory(server, promptId);
    } catch (error) {
      result.set(promptId, { kind: 'unreachable', error: describeError(error) });
      continue;
    }
    if (entry) result.set(promptId, { kind: 'finished', entry });
    else if (!queue) result.set(promptId, { kind: 'unreachable', error: queueError });
    else if (queue.running.has(promptId)) result.set(promptId, { kind: 'running' });
    else if (queue.pending.has(promptId)) result.set(promptId, { kind: 'queued' });
    else result.set(promptId, { kind: 'absent' });
  }
  return result;
}

export type HistoryOutcome =
  | { type: 'completed'; outputs: Record<string, NodeOutput> }
  | { type: 'failed'; error: string }
  | { type: 'interrupted' };

/**
 * Reads a history entry: `status_str` says success or not; for a failure, the last
 * `execution_*` message says whether it was an error or an interrupt.
 */
export function historyOutcome(entry: TolerantHistoryEntry): HistoryOutcome {
  const outputs: Record<string, NodeOutput> = {};
  for (const [node, output] of Object.entries(entry.outputs)) if (output) outputs[node] = output;
  const status = entry.status;
  if (!status || status.status_str === 'success') return { type: 'completed', outputs };
  const messages = status.messages;
  for (let i = messages.length - 1; i >= 0; i--) {
    const [type, data] = messages[i]!;
    if (type === 'execution_interrupted') return { type: 'interrupted' };
    if (type === 'execution_error') {
      const message = typeof data.exception_message === 'string' ? data.exception_message.trim() : 'execution_error';
      const node = typeof data.node_id === 'string' ? ` (node ${data.node_id}${typeof data.node_type === 'string' ? ` ${data.node_type}` : ''})` : '';
      return { type: 'failed', error: `${message}${node}` };
    }
  }
  return { type: 'failed', error: `history status ${status.status_str}` };
}
