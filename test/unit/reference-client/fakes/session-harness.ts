import { VirtualClock } from '../../../../src/protocol/index.ts';
import type { SessionEvents } from '../../../../src/reference-client/events.ts';
import { WindowSession, type WindowSessionOptions } from '../../../../src/reference-client/window-session.ts';
import { FakeComfy } from './fake-comfy.ts';

export type RecordedEvent = { [K in keyof SessionEvents]: { type: K } & SessionEvents[K] }[keyof SessionEvents];

const jobEventTypes = ['submitted', 'progress', 'preview', 'completed', 'failed', 'interrupted', 'lost', 'connection'] as const;

/** Records every event of a session, in order. */
export function record(session: WindowSession): RecordedEvent[] {
  const events: RecordedEvent[] = [];
  for (const type of jobEventTypes) session.on(type, (event) => events.push({ type, ...event } as RecordedEvent));
  return events;
}

export const tinyPrompt = { '9': { class_type: 'SaveImage', inputs: {} } };

/** A session on one fake ComfyUI, in virtual time. */
export function setup(options: Partial<WindowSessionOptions> = {}) {
  const clock = new VirtualClock();
  const server = new FakeComfy(clock);
  const session = new WindowSession({
    servers: server.baseUrl,
    clock,
    fetch: server.fetch,
    webSocketFactory: server.webSocketFactory,
    seed: 7,
    ...options,
  });
  const events = record(session);
  const terminal = (promptId: string) =>
    events.filter((e) => 'promptId' in e && e.promptId === promptId && ['completed', 'failed', 'interrupted', 'lost'].includes(e.type));
  return {
    clock,
    server,
    session,
    events,
    terminal,
    /** Runs virtual time until `done()` (bounded by `maxMs` of virtual time). */
    until: (done: () => boolean, maxMs = 120_000) => clock.runUntil(done, maxMs),
    /** Lets `ms` of virtual time pass. */
    wait: (ms: number) => clock.advanceBy(ms),
  };
}

/** Awaits `promise` while virtual time runs (bounded). */
export async function waitFor<T>(t: { until: (done: () => boolean, maxMs?: number) => Promise<boolean> }, promise: Promise<T>): Promise<T> {
  let settled = false;
  let value: T | undefined;
  void promise.then((v) => {
    settled = true;
    value = v;
  });
  await t.until(() => settled, 120_000);
  if (!settled) throw new Error('promise did not settle within 120 s of virtual time');
  return value as T;
}
