import { z } from 'zod';
import { timestampMs } from './common.ts';

export const executionSuccessMessage = z.object({
  type: z.literal('execution_success'),
  data: z.object({ prompt_id: z.string(), timestamp: timestampMs }),
});
export type ExecutionSuccessMessage = z.infer<typeof executionSuccessMessage>;
