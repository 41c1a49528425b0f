import { z } from 'zod';

/** Node ids are strings; expanded nodes look like "12:5". */
export const nodeId = z.string();
/** Epoch milliseconds, as ComfyUI's `int(time.time() * 1000)`. */
export const timestampMs = z.number().int();
/** ComfyUI sends ints for step counters and floats for 0.0/1.0 bars. */
export const progressNumber = z.number();

/** One file a node produced: `{"filename","subfolder","type"}`, plus extra keys newer nodes add. */
export const outputFile = z.looseObject({
  filename: z.string(),
  subfolder: z.string(),
  type: z.string(),
});
export type OutputFile = z.infer<typeof outputFile>;

/**
 * The UI dict of one node (`images`, `gifs`, `audio`, `text`, `animated`, custom keys).
 * Kept open: custom nodes add anything.
 */
export const nodeOutput = z.record(z.string(), z.unknown());
export type NodeOutput = z.infer<typeof nodeOutput>;
