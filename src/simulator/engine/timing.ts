/**
 * Overrides of how long simulated work takes. Without them each node takes what the node
 * catalogue says (`nodes/catalogue.ts`). Durations are in ms on the simulator's clock, so with the
 * virtual clock a ten-minute prompt costs no real time.
 */
export interface TimingOptions {
  /** Time of one progress step of every stepping node (KSampler), replacing the catalogue's [default: the catalogue's] */
  stepMs?: number;
  /** Per class setup time, e.g. `{ VAEDecode: 200 }` [default: the catalogue's] */
  nodeMs?: Record<string, number>;
  /** Delay between a prompt being queued and the worker taking it; ComfyUI's worker thread wakes a little after the POST reply is written [default 20] */
  pickupMs?: number;
}

export interface ResolvedTiming {
  stepMs: number | undefined;
  nodeMs: Record<string, number>;
  pickupMs: number;
}

export function resolveTiming(options: TimingOptions = {}): ResolvedTiming {
  const check = (name: string, value: number | undefined) => {
    if (value !== undefined && (!Number.isFinite(value) || value < 0)) {
      throw new RangeError(`timing.${name} must be a number >= 0 (got ${value})`);
    }
  };
  check('stepMs', options.stepMs);
  check('pickupMs', options.pickupMs);
  for (const [cls, ms] of Object.entries(options.nodeMs ?? {})) check(`nodeMs.${cls}`, ms);
  return { stepMs: options.stepMs, nodeMs: { ...(options.nodeMs ?? {}) }, pickupMs: options.pickupMs ?? 20 };
}
