import { z } from 'zod';

/** `POST /upload/image` and `/upload/mask` reply. */
export const uploadImageReply = z.object({ name: z.string(), subfolder: z.string(), type: z.string() });
export type UploadImageReply = z.infer<typeof uploadImageReply>;

export const systemStatsReply = z.object({
  system: z.looseObject({
    os: z.string(),
    ram_total: z.number(),
    ram_free: z.number(),
    comfyui_version: z.string(),
    required_frontend_version: z.string().optional(),
    installed_templates_version: z.string().nullable().optional(),
    required_templates_version: z.string().nullable().optional(),
    python_version: z.string(),
    pytorch_version: z.string(),
    embedded_python: z.boolean(),
    argv: z.array(z.string()),
  }),
  devices: z.array(
    z.looseObject({
      name: z.string(),
      type: z.string(),
      index: z.number().nullable(),
      vram_total: z.number(),
      vram_free: z.number(),
      torch_vram_total: z.number(),
      torch_vram_free: z.number(),
    }),
  ),
});
export type SystemStatsReply = z.infer<typeof systemStatsReply>;

/** One entry of `GET /object_info`. Input specs are `[type, options?]` tuples; kept open. */
export const objectInfoEntry = z.looseObject({
  input: z.object({
    required: z.record(z.string(), z.array(z.unknown())).optional(),
    optional: z.record(z.string(), z.array(z.unknown())).optional(),
    hidden: z.record(z.string(), z.unknown()).optional(),
  }),
  input_order: z.record(z.string(), z.array(z.string())).optional(),
  output: z.array(z.union([z.string(), z.array(z.string())])),
  output_is_list: z.array(z.boolean()),
  output_name: z.array(z.string()),
  name: z.string(),
  display_name: z.string(),
  description: z.string(),
  python_module: z.string(),
  category: z.string(),
  output_node: z.boolean(),
});
export type ObjectInfoEntry = z.infer<typeof objectInfoEntry>;
export const objectInfoReply = z.record(z.string(), objectInfoEntry);
