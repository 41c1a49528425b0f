import { z } from 'zod';

/**
 * Toxics as Toxiproxy itself defines them: a type, plain attributes with Toxiproxy's own
 * names (units below), and the envelope (stream, toxicity, name) defaulted in one place,
 * as Toxiproxy's `AddToxicJson` does: downstream, toxicity 1, name `<type>_<stream>`.
 */
const envelope = {
  /** `upstream`: client -> server bytes; `downstream`: server -> client bytes. Default downstream. */
  stream: z.enum(['upstream', 'downstream']).default('downstream'),
  /**
   * Probability, 0..1, that the toxic applies to a connection. Decided once per
   * connection when it opens (or when the toxic is added), not per message.
   */
  toxicity: z.number().min(0).max(1).default(1),
  /** Unique per proxy; defaults to `<type>_<stream>`. */
  name: z.string().min(1).optional(),
};

const ms = z.number().int().nonnegative();

export const toxicSpec = z.discriminatedUnion('type', [
  /** Delays every chunk by `latency` ms, plus or minus up to `jitter` ms. */
  z.object({ type: z.literal('latency'), attributes: z.object({ latency: ms, jitter: ms.default(0) }), ...envelope }),
  /** Limits throughput to `rate` KB/s. */
  z.object({ type: z.literal('bandwidth'), attributes: z.object({ rate: z.number().int().positive() }), ...envelope }),
  /** Delays the close of the socket by `delay` ms. */
  z.object({ type: z.literal('slow_close'), attributes: z.object({ delay: ms }), ...envelope }),
  /**
   * Black hole: passes no data and closes the connection after `timeout` ms; 0 never
   * closes (data is held until the toxic is removed, and removing it closes the connection).
   */
  z.object({ type: z.literal('timeout'), attributes: z.object({ timeout: ms }), ...envelope }),
  /** Cuts data into chunks of `average_size` ± `size_variation` bytes, `delay` µs apart. */
  z.object({
    type: z.literal('slicer'),
    attributes: z.object({
      average_size: z.number().int().positive(),
      size_variation: z.number().int().nonnegative().default(0),
      delay: z.number().int().nonnegative().default(0),
    }),
    ...envelope,
  }),
  /** Resets the connection (TCP RST) after `timeout` ms; 0 resets at once. Acts when data flows. */
  z.object({ type: z.literal('reset_peer'), attributes: z.object({ timeout: ms.default(0) }), ...envelope }),
  /** Closes the connection once `bytes` bytes have passed in this direction. */
  z.object({ type: z.literal('limit_data'), attributes: z.object({ bytes: z.number().int().nonnegative() }), ...envelope }),
]);

/** A toxic as a caller writes it (defaults may be left out). */
export type ToxicSpec = z.input<typeof toxicSpec>;
/** A toxic with every default filled in, as sent to Toxiproxy. */
export type Toxic = z.output<typeof toxicSpec> & { name: string };
export type ToxicType = Toxic['type'];
export type ToxicStream = Toxic['stream'];

/** Validates a toxic and fills its defaults; throws zod's error, which names the bad field. */
export function normalizeToxic(spec: ToxicSpec): Toxic {
  const toxic = toxicSpec.parse(spec);
  return { ...toxic, name: toxic.name ?? `${toxic.type}_${toxic.stream}` };
}
