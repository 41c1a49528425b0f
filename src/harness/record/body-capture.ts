/**
 * A bounded copy of a body that streams past: the proxy forwards every byte, the trace keeps at
 * most `limitBytes` of them. Bodies that are not text (images from `/view`) are kept as their size.
 */
export class BodyCapture {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  /** Every byte that went past, kept or not. */
  total = 0;

  constructor(private readonly limitBytes: number) {}

  add(chunk: Buffer): void {
    this.total += chunk.length;
    if (this.kept >= this.limitBytes) return;
    const room = this.limitBytes - this.kept;
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.chunks.push(Buffer.from(part));
    this.kept += part.length;
  }

  /** The body as the trace shows it (as the simulator's trace does): text, `<N bytes type>`, or undefined when empty. */
  forTrace(contentType: string | undefined): string | undefined {
    if (this.total === 0) return undefined;
    if (contentType !== undefined && !/json|text|x-www-form-urlencoded/i.test(contentType)) return `<${this.total} bytes ${contentType}>`;
    const bytes = Buffer.concat(this.chunks);
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      // A cut through a multi-byte character is not binary: only judge what was not cut.
      if (this.total > this.kept) text = new TextDecoder('utf-8').decode(bytes);
      else return `<${this.total} bytes binary>`;
    }
    return this.total > this.kept ? `${text}…` : text;
  }

  /** True when the trace holds only the start of the body. */
  get truncated(): boolean {
    return this.total > this.kept;
  }
}
