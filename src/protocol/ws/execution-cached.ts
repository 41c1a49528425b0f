import { z } from 'zod';
import { nodeId, timestampMs } from './common.ts';

/** Always sent after `execution_start`; `nodes` may be empty. */
export const executionCachedMessage = z.object({
  type: z.literal('execution_cached'),
  data: z.object({ nodes: z.array(nodeId), prompt_id: z.string(), timestamp: timestampMs }),
});
export type ExecutionCachedMessage = z.infer<typeof executionCachedMessage>;
