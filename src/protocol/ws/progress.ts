import { z } from 'zod';
import { nodeId, progressNumber } from './common.ts';

export const progressMessage = z.object({
  type: z.literal('progress'),
  data: z.object({ value: progressNumber, max: progressNumber, prompt_id: z.string(), node: nodeId }),
});
export type ProgressMessage = z.infer<typeof progressMessage>;
