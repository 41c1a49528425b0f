import { z } from 'zod';
import { nodeId, timestampMs } from './common.ts';

export const executionInterruptedMessage = z.object({
  type: z.literal('execution_interrupted'),
  data: z.object({
    prompt_id: z.string(),
    node_id: nodeId,
    node_type: z.string(),
    executed: z.array(nodeId),
    timestamp: timestampMs,
  }),
});
export type ExecutionInterruptedMessage = z.infer<typeof executionInterruptedMessage>;
