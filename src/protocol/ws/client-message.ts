import { z } from 'zod';

/**
 * The only client->server frame the server acts on: `feature_flags`, and only as the first
 * valid-JSON text frame of a connection.
 */
export const clientFeatureFlagsMessage = z.object({
  type: z.literal('feature_flags'),
  data: z.looseObject({
    supports_preview_metadata: z.boolean().optional(),
    supports_manager_v4_ui: z.boolean().optional(),
    supports_progress_text_metadata: z.boolean().optional(),
  }),
});
export type ClientFeatureFlagsMessage = z.infer<typeof clientFeatureFlagsMessage>;
