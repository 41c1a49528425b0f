import type { SimulatorCore } from '../simulator-core.ts';
import type { SimResponse } from './types.ts';

/**
 * `GET /history`, serialised once per state of the history and query: like `GET /queue`
 * (queue-body.ts), a client that pipelines many reads of a large history shares one buffer
 * instead of making one copy per request.
 */
interface CachedHistoryBody {
  version: number;
  key: string;
  body: Uint8Array;
}

const cache = new WeakMap<SimulatorCore, CachedHistoryBody>();

export function historyResponse(core: SimulatorCore, maxItems: number | undefined, offset: number | undefined): SimResponse {
  const key = `${maxItems ?? ''}/${offset ?? ''}`;
  let cached = cache.get(core);
  if (!cached || cached.version !== core.history.version || cached.key !== key) {
    cached = { version: core.history.version, key, body: Buffer.from(JSON.stringify(core.history.list(maxItems, offset)), 'utf8') };
    cache.set(core, cached);
  }
  return { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body: cached.body };
}
