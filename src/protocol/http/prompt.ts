import { z } from 'zod';
import { nodeId } from '../ws/common.ts';

/** A link from another node's output: `["<src id>", slot]`. */
export const nodeLink = z.tuple([nodeId, z.number().int().nonnegative()]);

/** One node of an API-format graph. */
export const apiNode = z.looseObject({
  class_type: z.string(),
  inputs: z.record(z.string(), z.unknown()),
  _meta: z.record(z.string(), z.unknown()).optional(),
});
export type ApiNode = z.infer<typeof apiNode>;

/** API-format graph: node id -> node. */
export const apiPrompt = z.record(nodeId, apiNode);
export type ApiPrompt = z.infer<typeof apiPrompt>;

export const postPromptRequest = z.looseObject({
  prompt: z.unknown(),
  client_id: z.string().optional(),
  extra_data: z.record(z.string(), z.unknown()).optional(),
  prompt_id: z.string().optional(),
  number: z.number().optional(),
  front: z.boolean().optional(),
  partial_execution_targets: z.array(nodeId).optional(),
});
export type PostPromptRequest = z.infer<typeof postPromptRequest>;

export const validationError = z.looseObject({
  type: z.string(),
  message: z.string(),
  details: z.string(),
  extra_info: z.record(z.string(), z.unknown()),
});
export type ValidationError = z.infer<typeof validationError>;

export const nodeErrors = z.record(
  nodeId,
  z.object({ errors: z.array(validationError), dependent_outputs: z.array(nodeId), class_type: z.string() }),
);
export type NodeErrors = z.infer<typeof nodeErrors>;

export const postPromptOk = z.object({
  prompt_id: z.string(),
  number: z.number(),
  node_errors: nodeErrors,
});
export type PostPromptOk = z.infer<typeof postPromptOk>;

export const promptErrorType = z.enum([
  'no_prompt',
  'invalid_prompt',
  'prompt_no_outputs',
  'prompt_outputs_failed_validation',
]);

export const postPromptRejected = z.object({
  error: validationError.extend({ type: z.union([promptErrorType, z.string()]) }),
  node_errors: nodeErrors,
});
export type PostPromptRejected = z.infer<typeof postPromptRejected>;

/** `GET /prompt`. */
export const getPromptReply = z.object({ exec_info: z.object({ queue_remaining: z.number().int().nonnegative() }) });
export type GetPromptReply = z.infer<typeof getPromptReply>;
