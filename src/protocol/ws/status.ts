import { z } from 'zod';

/** `status`: on connect (with `sid`) to that socket; on every queue change, broadcast without `sid`. */
export const statusMessage = z.object({
  type: z.literal('status'),
  data: z.object({
    status: z.object({ exec_info: z.object({ queue_remaining: z.number().int().nonnegative() }) }),
    sid: z.string().optional(),
  }),
});
export type StatusMessage = z.infer<typeof statusMessage>;
