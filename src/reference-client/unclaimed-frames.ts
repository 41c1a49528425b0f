/**
 * Frames about a prompt no job of the window has, received while one of its POST /prompt requests
 * is in flight. On a server that names prompts itself (ComfyUI before 2025-07-14) they may be that
 * job's, beating the reply (shared comfyui-protocol.md §2): each is kept with the handler that
 * replays it, handed back once a reply names its prompt, and dropped when no POST is in flight.
 */
export class UnclaimedFrames {
  private frames: Array<{ promptId: string; replay: () => void }> = [];

  /** @param limit [limit=2000] frames kept at most, the oldest dropped first: a bound, not a tuning knob */
  constructor(private readonly limit = 2_000) {}

  get size(): number {
    return this.frames.length;
  }

  keep(promptId: string, replay: () => void): void {
    this.frames.push({ promptId, replay });
    if (this.frames.length > this.limit) this.frames.shift();
  }

  /** Removes the frames of `promptId` and returns their replays, in arrival order. */
  claim(promptId: string): Array<() => void> {
    const mine = this.frames.filter((f) => f.promptId === promptId);
    if (mine.length) this.frames = this.frames.filter((f) => f.promptId !== promptId);
    return mine.map((f) => f.replay);
  }

  clear(): void {
    this.frames = [];
  }
}

/** The `prompt_id` of a message's data, if it has a string one. */
export function promptIdOf(data: unknown): string | undefined {
  const id = typeof data === 'object' && data !== null ? (data as { prompt_id?: unknown }).prompt_id : undefined;
  return typeof id === 'string' ? id : undefined;
}
