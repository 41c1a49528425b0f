import { z } from 'zod';

/** Terminal log lines, sent only to sids subscribed via `PATCH /internal/logs/subscribe`. */
export const logsMessage = z.object({
  type: z.literal('logs'),
  data: z.object({
    entries: z.array(z.object({ t: z.string(), m: z.string() })),
    size: z.object({ cols: z.number().int(), rows: z.number().int() }).nullable(),
  }),
});
export type LogsMessage = z.infer<typeof logsMessage>;
