import { z } from 'zod';
import { apiPrompt } from './http/prompt.ts';

/**
 * The driver protocol: how the harness talks to a client under test running in its own process,
 * in any language. JSON lines: commands on the driver's stdin, events on its stdout. The
 * ComfyUI base URL is in the `COMFY_URL` environment variable.
 */
export const driverCommand = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('submit'),
    /** The harness's job id; every event about this job carries it. */
    id: z.string().min(1),
    prompt: apiPrompt,
    /** Which window/session submits it; drivers without windows may ignore it. */
    window: z.string().optional(),
  }),
  z.object({ type: z.literal('cancel'), id: z.string().min(1) }),
  z.object({ type: z.literal('shutdown') }),
]);
export type DriverCommand = z.infer<typeof driverCommand>;

export const failureReason = z.enum(['error', 'interrupted', 'lost', 'timeout', 'disconnected']);
export type FailureReason = z.infer<typeof failureReason>;

export const driverEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('submitted'), id: z.string(), prompt_id: z.string() }),
  z.object({
    type: z.literal('progress'),
    id: z.string(),
    value: z.number(),
    max: z.number(),
    node: z.string().optional(),
  }),
  z.object({
    type: z.literal('completed'),
    id: z.string(),
    prompt_id: z.string(),
    outputs: z.record(z.string(), z.unknown()),
  }),
  z.object({
    type: z.literal('failed'),
    id: z.string(),
    prompt_id: z.string().optional(),
    reason: failureReason,
    error: z.string().optional(),
  }),
  /** Free-form diagnostics; the harness records them in the trace and ignores them otherwise. */
  z.object({ type: z.literal('log'), message: z.string() }),
]);
export type DriverEvent = z.infer<typeof driverEvent>;
