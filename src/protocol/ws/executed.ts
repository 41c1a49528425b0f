import { z } from 'zod';
import { nodeId, nodeOutput } from './common.ts';

/** `output` is null for a cached node without stored UI. */
export const executedMessage = z.object({
  type: z.literal('executed'),
  data: z.object({ node: nodeId, display_node: nodeId, output: nodeOutput.nullable(), prompt_id: z.string() }),
});
export type ExecutedMessage = z.infer<typeof executedMessage>;
