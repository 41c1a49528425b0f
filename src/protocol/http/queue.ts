import { z } from 'zod';
import { nodeId } from '../ws/common.ts';

/** `[number, prompt_id, prompt, extra_data, outputs_to_execute]`. */
export const queueItem = z.tuple([
  z.number(),
  z.string(),
  z.record(z.string(), z.unknown()),
  z.record(z.string(), z.unknown()),
  z.array(nodeId),
]);
export type QueueItem = z.infer<typeof queueItem>;

/** `GET /queue`; `queue_pending` is in heap order, not sorted. */
export const getQueueReply = z.object({ queue_running: z.array(queueItem), queue_pending: z.array(queueItem) });
export type GetQueueReply = z.infer<typeof getQueueReply>;

/** `POST /queue` and `POST /history`. */
export const clearOrDeleteRequest = z.object({
  clear: z.boolean().optional(),
  delete: z.array(z.string()).optional(),
});
export type ClearOrDeleteRequest = z.infer<typeof clearOrDeleteRequest>;

/** `POST /interrupt`: with `prompt_id`, only that running prompt; without, global. */
export const interruptRequest = z.object({ prompt_id: z.string().optional() });
