import { z } from 'zod';

/** `feature_flags`: the server's reply to a client's first text frame of that type. Keys beyond these are opaque. */
export const featureFlagsMessage = z.object({
  type: z.literal('feature_flags'),
  data: z.looseObject({
    supports_preview_metadata: z.boolean().optional(),
    max_upload_size: z.number().optional(),
  }),
});
export type FeatureFlagsMessage = z.infer<typeof featureFlagsMessage>;
