import { z } from 'zod';
import { timestampMs } from './common.ts';

export const executionStartMessage = z.object({
  type: z.literal('execution_start'),
  data: z.object({ prompt_id: z.string(), timestamp: timestampMs }),
});
export type ExecutionStartMessage = z.infer<typeof executionStartMessage>;
