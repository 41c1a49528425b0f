/**
 * Refunds a failed job's credits: `POST $REFUND_URL {"userId","promptId"}`, at most once per
 * prompt. A failed POST is retried a bounded number of times; the prompt id is also sent as
 * `Idempotency-Key`, because a retry after a lost reply cannot know whether the first one landed.
 */
export interface RefundOptions {
  url: string | undefined;
  log: (line: string) => void;
  /** [options.attempts=5] POSTs per refund before giving up (logged). */
  attempts?: number;
  /** [options.firstRetryDelayMs=250] Wait before the first retry; doubles each time. */
  firstRetryDelayMs?: number;
  /** [options.requestTimeoutMs=5000] A POST not answered by then counts as failed. */
  requestTimeoutMs?: number;
  /** [options.remember=10000] Refunded prompt ids remembered, so a second request for one is refused. */
  remember?: number;
}

export class Refunds {
  private readonly seen = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly options: RefundOptions) {}

  /** Starts the refund of `promptId` unless it was already started. Returns at once. */
  refund(userId: string, promptId: string): void {
    if (this.seen.has(promptId)) {
      this.options.log(`refund for ${promptId} already sent; not sending it twice`);
      return;
    }
    this.seen.add(promptId);
    const remember = this.options.remember ?? 10_000;
    if (this.seen.size > remember) this.seen.delete(this.seen.values().next().value as string);
    if (!this.options.url) return;
    const task = this.post(this.options.url, userId, promptId).finally(() => this.inFlight.delete(task));
    this.inFlight.add(task);
  }

  /** Stops retrying and waits (at most `waitMs`) for POSTs already under way. */
  async close(waitMs = 2000): Promise<void> {
    this.stopped = true;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.inFlight]), new Promise((resolve) => (timer = setTimeout(resolve, waitMs)))]);
    clearTimeout(timer);
  }

  private async post(url: string, userId: string, promptId: string): Promise<void> {
    const attempts = this.options.attempts ?? 5;
    let delay = this.options.firstRetryDelayMs ?? 250;
    let lastError = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': promptId },
          body: JSON.stringify({ userId, promptId }),
          signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 5000),
        });
        await response.arrayBuffer().catch(() => undefined);
        if (response.ok) return;
        lastError = `HTTP ${response.status}`;
        // A 4xx other than 408/429 says the request itself is wrong: sending it again will not help.
        if (response.status < 500 && response.status !== 408 && response.status !== 429) break;
      } catch (error) {
        lastError = error instanceof Error ? error.message : String(error);
      }
      if (attempt === attempts || this.stopped) break;
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay *= 2;
    }
    this.options.log(`refund of ${promptId} for user ${userId} failed (${lastError}); gave up`);
  }
}
