import { z } from 'zod';
import { nodeId } from './common.ts';

/**
 * `executing` in its three shapes:
 * - a node starts: `{node, display_node, prompt_id}`;
 * - the prompt ended: `{node: null, prompt_id}`;
 * - replay on reconnect with the same clientId: `{node}` only, no prompt_id.
 */
export const executingMessage = z.object({
  type: z.literal('executing'),
  data: z.object({
    node: nodeId.nullable(),
    display_node: nodeId.optional(),
    prompt_id: z.string().optional(),
  }),
});
export type ExecutingMessage = z.infer<typeof executingMessage>;
