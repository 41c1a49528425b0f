/**
 * Splits a driver's stdout into lines as it arrives, holding at most `maxLineBytes` of one line: a
 * longer line is skipped whole (up to its newline) and reported once by its head, so a driver that
 * never prints a newline cannot make the harness hold its output without bound.
 */
export class StdoutLines {
  private chunks: Buffer[] = [];
  private bytes = 0;
  private skipping = false;

  /**
   * @param maxLineBytes the longest line kept, in bytes
   * @param onLine each complete line, trimmed, when not empty
   * @param onTooLong the first `headBytes` of a line that was too long
   */
  constructor(
    private readonly maxLineBytes: number,
    private readonly onLine: (line: string) => void,
    private readonly onTooLong: (head: string) => void,
    private readonly headBytes = 200,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    let newline: number;
    while ((newline = chunk.indexOf(0x0a, start)) >= 0) {
      this.append(chunk.subarray(start, newline));
      this.end();
      start = newline + 1;
    }
    if (start < chunk.length) this.append(chunk.subarray(start));
  }

  /** Ends the current line (at a newline, or when the process exited without one). */
  end(): void {
    const wasSkipping = this.skipping;
    this.skipping = false;
    const line = wasSkipping ? '' : Buffer.concat(this.chunks).toString('utf8').trim();
    this.chunks = [];
    this.bytes = 0;
    if (line) this.onLine(line);
  }

  private append(piece: Buffer): void {
    if (this.skipping || piece.length === 0) return;
    if (this.bytes + piece.length > this.maxLineBytes) {
      const head = Buffer.concat([...this.chunks, piece]).subarray(0, this.headBytes).toString('utf8');
      this.chunks = [];
      this.bytes = 0;
      this.skipping = true;
      this.onTooLong(head);
      return;
    }
    this.chunks.push(piece);
    this.bytes += piece.length;
  }
}
