import { z } from 'zod';
import { nodeId, nodeOutput } from '../ws/common.ts';
import { queueItem } from './queue.ts';

/** `["execution_start", {...}]` and the other `execution_*` events, in order. */
export const historyStatusMessage = z.tuple([z.string(), z.record(z.string(), z.unknown())]);

export const historyEntry = z.object({
  prompt: queueItem,
  outputs: z.record(nodeId, nodeOutput),
  status: z.object({
    status_str: z.enum(['success', 'error']),
    completed: z.boolean(),
    messages: z.array(historyStatusMessage),
  }),
  meta: z.record(
    nodeId,
    z.looseObject({
      node_id: nodeId,
      display_node: nodeId,
      parent_node: nodeId.nullable(),
      real_node_id: nodeId,
    }),
  ),
});
export type HistoryEntry = z.infer<typeof historyEntry>;

/** `GET /history` and `GET /history/{id}`: `{}` when the id is unknown, unfinished, evicted or lost. */
export const historyReply = z.record(z.string(), historyEntry);
export type HistoryReply = z.infer<typeof historyReply>;
