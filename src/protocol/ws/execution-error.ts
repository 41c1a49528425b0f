import { z } from 'zod';
import { nodeId, timestampMs } from './common.ts';

/**
 * `execution_error`. The blocked variant (a node returned a blocker with a message) has no
 * timestamp and empty `current_inputs`/`current_outputs` arrays, and the prompt keeps running.
 */
export const executionErrorMessage = z.object({
  type: z.literal('execution_error'),
  data: z.object({
    prompt_id: z.string(),
    node_id: nodeId,
    node_type: z.string(),
    executed: z.array(nodeId),
    exception_message: z.string(),
    exception_type: z.string(),
    traceback: z.array(z.string()),
    current_inputs: z.union([z.record(z.string(), z.array(z.unknown())), z.array(z.unknown()).length(0)]),
    current_outputs: z.array(nodeId),
    timestamp: timestampMs.optional(),
  }),
});
export type ExecutionErrorMessage = z.infer<typeof executionErrorMessage>;

/** True for the blocked variant, which does not end the prompt. */
export function isBlockedExecutionError(message: ExecutionErrorMessage): boolean {
  return message.data.timestamp === undefined && Array.isArray(message.data.current_inputs);
}
