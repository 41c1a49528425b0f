import { z } from 'zod';
import { apiPrompt } from './http/prompt.ts';

/**
 * The driver protocol: how the harness talks to a client under test running in its own process,
 * in any language. JSON lines: commands on the driver's stdin, events on its stdout. The
 * ComfyUI base URL is in the `COMFY_URL` environment variable (always one URL); every server of
 * the run, comma-separated, is in `COMFY_URLS` (several in pool scenarios, which run only for a
 * driver that declares `servers` in its capabilities).
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

/**
 * What a client can do, declared in its `ready` event (issue 12, point 8). A scenario that needs
 * more than a client declares is `skipped`, saying which capability is missing, instead of
 * failing for something the client never claimed to do. Absent fields take the minimal values
 * (one server, one window, no cancel); other fields name what some scenario `requires` (a number
 * at least as large, or `true`).
 */
export const driverCapabilities = z.looseObject({
  /** How many ComfyUI servers it can use at once; it finds them in `COMFY_URLS` [default 1]. */
  servers: z.number().int().min(1).optional(),
  /** How many windows (sessions, each with its own client_id) it keeps apart; `submit` names the window [default 1]. */
  windows: z.number().int().min(1).optional(),
  /** Whether it implements the `cancel` command [default false]. */
  cancel: z.boolean().optional(),
});
export type DriverCapabilities = z.infer<typeof driverCapabilities>;

/** What a driver that declares nothing can do. */
export const minimalCapabilities = { servers: 1, windows: 1, cancel: false } as const satisfies DriverCapabilities;

export const driverEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), capabilities: driverCapabilities.optional() }),
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
