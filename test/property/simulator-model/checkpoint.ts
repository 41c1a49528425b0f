import { expect } from 'vitest';
import { getQueueReply, historyReply } from '../../../src/protocol/index.ts';
import type { QueueItem } from '../../../src/protocol/index.ts';
import { graphSpecs } from './graphs.ts';
import { lessThan, type ExpectedEvent, type HistoryModelEntry, type QueueModel } from './queue-model.ts';
import type { SimWorld } from './sim-world.ts';

/** How many of the newest known ids get a `GET /history/{id}` at each checkpoint. */
const HISTORY_PROBES = 8;

/**
 * Compares the simulator with the model after a command: the prompt events of the trace since
 * the last checkpoint (ground truth for the oracle), then, while the server is up, GET /queue,
 * GET /history, GET /history/{id} and GET /prompt.
 */
export async function checkpoint(m: QueueModel, r: SimWorld, modelCursor: { events: number }): Promise<void> {
  const actual: ExpectedEvent[] = [];
  for (; r.traceCursor < r.trace.length; r.traceCursor++) {
    const e = r.trace[r.traceCursor]!;
    if (e.kind === 'prompt') actual.push({ t: e.t, event: e.event, promptId: e.promptId });
  }
  const expected = m.events.slice(modelCursor.events).map((e) => ({ ...e, t: e.t - r.origin }));
  modelCursor.events = m.events.length;
  expect(canonical(actual), 'prompt events in the trace (t, event, id)').toEqual(canonical(expected));
  // The sid table: which connection a targeted message for each sid goes to (none: dropped).
  const table = Object.fromEntries(r.sim.core.hub.registered().map((c) => [c.sid, c.conn]));
  const modelTable = Object.fromEntries([...m.table].map(([sid, ref]) => [sid, r.sockets.get(ref.label)!.conn]));
  expect(table, 'sid -> connection table').toEqual(modelTable);
  if (!m.up) return;

  const queue = await r.request('GET', '/queue');
  if (queue.refused) throw new Error('GET /queue refused while the model says the server is up');
  const q = getQueueReply.parse(queue.body);
  expect(q.queue_running.map(itemKey), 'queue_running').toEqual(m.running ? [modelKey(m.running.prompt)] : []);
  expect(q.queue_pending.map(itemKey).sort(), 'queue_pending (as a set)').toEqual(m.pending.map(modelKey).sort());
  // heapq layout: every parent is <= its children, so the head is the next to run.
  const pending = q.queue_pending.map((item) => ({ number: item[0], promptId: item[1] }));
  for (let i = 1; i < pending.length; i++) {
    expect(lessThan(pending[i]!, pending[(i - 1) >> 1]!), `queue_pending is not a heap at ${i}`).toBe(false);
  }
  m.observedPendingOrder = pending;

  const history = await r.request('GET', '/history');
  if (history.refused) throw new Error('GET /history refused while up');
  const h = historyReply.parse(history.body);
  expect(Object.keys(h), 'GET /history keys in insertion order').toEqual([...m.history.keys()]);
  for (const [id, entry] of m.history) expect(summary(h[id]!), `history entry ${id}`).toEqual(modelSummary(entry));

  for (const id of r.knownIds.slice(-HISTORY_PROBES)) {
    const one = await r.request('GET', `/history/${encodeURIComponent(id)}`);
    if (one.refused) throw new Error('GET /history/{id} refused while up');
    const entry = m.history.get(id);
    const parsed = historyReply.parse(one.body);
    if (!entry) expect(parsed, `GET /history/${id} for an unknown, unfinished or lost id`).toEqual({});
    else expect(Object.keys(parsed).map((k) => [k, summary(parsed[k]!)]), `GET /history/${id}`).toEqual([[id, modelSummary(entry)]]);
  }

  const prompt = await r.request('GET', '/prompt');
  if (prompt.refused) throw new Error('GET /prompt refused while up');
  expect(prompt.body, 'GET /prompt').toEqual({ exec_info: { queue_remaining: m.remaining() } });

  // `status` is broadcast on every queue change, so each registered socket's latest one is current.
  await r.flush();
  for (const ref of m.table.values()) {
    const statuses = r.sockets.get(ref.label)!.raw.messages().filter((x) => x.type === 'status');
    const last = statuses.at(-1)?.data as { status: { exec_info: { queue_remaining: number } } } | undefined;
    expect(last?.status.exec_info.queue_remaining, `latest status on ${ref.label} (sid ${ref.sid})`).toBe(m.remaining());
  }
}

/** Lost and deleted prompts of one instant come in heap order; the model only knows the set. */
function canonical(events: ExpectedEvent[]): string[] {
  const lines = events.map((e) => `${e.t} ${e.event} ${e.promptId}`);
  const out: string[] = [];
  for (let i = 0; i < lines.length; ) {
    let j = i + 1;
    const e = events[i]!;
    if (e.event === 'lost' || e.event === 'deleted') {
      while (j < events.length && events[j]!.event === e.event && events[j]!.t === e.t) j++;
    }
    out.push(...lines.slice(i, j).sort());
    i = j;
  }
  return out;
}

function itemKey(item: QueueItem): string {
  const client = (item[3] as { client_id?: unknown }).client_id;
  return `${item[0]}|${item[1]}|${typeof client === 'string' ? client : '-'}`;
}

function modelKey(p: { number: number; promptId: string; clientId: string | null }): string {
  return `${p.number}|${p.promptId}|${p.clientId ?? '-'}`;
}

interface EntrySummary {
  item: string;
  status_str: string;
  completed: boolean;
  messages: string[];
  outputs: unknown;
}

function summary(entry: import('../../../src/protocol/index.ts').HistoryEntry): EntrySummary {
  return {
    item: itemKey(entry.prompt as QueueItem),
    status_str: entry.status.status_str,
    completed: entry.status.completed,
    messages: entry.status.messages.map((m) => m[0]),
    outputs: entry.outputs,
  };
}

function modelSummary({ run, outcome }: HistoryModelEntry): EntrySummary {
  const spec = graphSpecs[run.prompt.graph];
  const terminal = { success: 'execution_success', error: 'execution_error', interrupted: 'execution_interrupted' }[outcome];
  return {
    item: modelKey(run.prompt),
    status_str: outcome === 'success' ? 'success' : 'error',
    completed: outcome === 'success',
    messages: ['execution_start', 'execution_cached', terminal],
    // PreviewAny reports the text that flows in; error and interrupt entries have no outputs (§7).
    outputs: outcome === 'success' && spec.kind === 'sleep' ? { '2': { text: [spec.tag] } } : {},
  };
}
