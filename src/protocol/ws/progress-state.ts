import { z } from 'zod';
import { nodeId, progressNumber } from './common.ts';

export const nodeProgressState = z.object({
  value: progressNumber,
  max: progressNumber,
  state: z.enum(['pending', 'running', 'finished', 'error']),
  node_id: nodeId,
  prompt_id: z.string(),
  display_node_id: nodeId,
  parent_node_id: nodeId.nullable(),
  real_node_id: nodeId,
});
export type NodeProgressState = z.infer<typeof nodeProgressState>;

/** The map holds every node seen so far in the prompt; pending nodes are left out. */
export const progressStateMessage = z.object({
  type: z.literal('progress_state'),
  data: z.object({ prompt_id: z.string(), nodes: z.record(nodeId, nodeProgressState) }),
});
export type ProgressStateMessage = z.infer<typeof progressStateMessage>;
