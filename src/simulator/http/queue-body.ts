import { toQueueItem, type QueuedPrompt } from '../engine/prompt-queue.ts';
import type { SimulatorCore } from '../simulator-core.ts';
import type { SimResponse } from './types.ts';

/**
 * `GET /queue`, serialised once per state of the queue. Eight pending 1 MiB prompts make an 8 MiB
 * body; a client that pipelines 100 GETs used to get 100 copies built at once (1.8 GiB of RSS,
 * issue 11). Now every asker of the same state shares one buffer, which the network transport
 * writes without copying.
 */
interface CachedQueueBody {
  running: QueuedPrompt | null;
  pending: QueuedPrompt[];
  body: Uint8Array;
}

const cache = new WeakMap<SimulatorCore, CachedQueueBody>();

function sameState(cached: CachedQueueBody, running: QueuedPrompt | null, pending: readonly QueuedPrompt[]): boolean {
  if (cached.running !== running || cached.pending.length !== pending.length) return false;
  for (let i = 0; i < pending.length; i++) if (cached.pending[i] !== pending[i]) return false;
  return true;
}

export function queueResponse(core: SimulatorCore): SimResponse {
  const running = core.queue.running;
  const pending = core.queue.pending;
  let cached = cache.get(core);
  if (!cached || !sameState(cached, running, pending)) {
    const text = JSON.stringify({ queue_running: running ? [toQueueItem(running)] : [], queue_pending: pending.map(toQueueItem) });
    cached = { running, pending: [...pending], body: Buffer.from(text, 'utf8') };
    cache.set(core, cached);
  }
  return { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body: cached.body };
}
