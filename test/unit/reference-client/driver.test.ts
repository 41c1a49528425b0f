import { describe, expect, it } from 'vitest';
import { VirtualClock, driverEvent, type DriverEvent } from '../../../src/protocol/index.ts';
import { runReferenceDriver } from '../../../src/reference-client/driver.ts';
import { FakeComfy } from './fakes/fake-comfy.ts';

/** An input stream the test writes lines into, and an output that collects parsed events. */
function pipe() {
  const queue: string[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  const input: AsyncIterable<string> = {
    async *[Symbol.asyncIterator]() {
      for (;;) {
        while (queue.length) yield queue.shift()!;
        if (ended) return;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
  };
  const events: DriverEvent[] = [];
  let partial = '';
  const output = {
    write(chunk: string) {
      partial += chunk;
      let nl: number;
      while ((nl = partial.indexOf('\n')) >= 0) {
        events.push(driverEvent.parse(JSON.parse(partial.slice(0, nl))));
        partial = partial.slice(nl + 1);
      }
    },
  };
  return {
    input,
    output,
    events,
    send(line: string) {
      queue.push(line);
      wake?.();
    },
    end() {
      ended = true;
      wake?.();
    },
  };
}

describe('runReferenceDriver', () => {
  it('speaks the driver protocol: ready, submitted, progress, completed, then stops on shutdown', async () => {
    const clock = new VirtualClock();
    const server = new FakeComfy(clock);
    const io = pipe();
    const done = runReferenceDriver({
      input: io.input,
      output: io.output,
      env: { COMFY_URL: server.baseUrl },
      clientOptions: { clock, fetch: server.fetch, webSocketFactory: server.webSocketFactory, seed: 5, progressDebounceMs: 0 },
    });
    io.send(`${JSON.stringify({ type: 'submit', id: 'j1', prompt: { '9': { class_type: 'SaveImage', inputs: {} } } })}\n`);
    await clock.runUntil(() => server.pending.length === 1, 10_000);
    server.start();
    server.step(3);
    server.finish();
    await clock.runUntil(() => io.events.some((e) => e.type === 'completed'), 10_000);
    io.send('{"type":"shutdown"}\n');
    expect(await done).toBe(0);
    const promptId = server.history.keys().next().value;
    expect(io.events).toEqual([
      { type: 'ready', capabilities: { servers: 64, windows: 1024, cancel: true, base_path: true } },
      { type: 'submitted', id: 'j1', prompt_id: promptId },
      { type: 'progress', id: 'j1', value: 3, max: 20, node: '3' },
      expect.objectContaining({ type: 'completed', id: 'j1', prompt_id: promptId, outputs: expect.objectContaining({ '9': expect.anything() }) }),
    ]);
  });

  it('reports interrupted and lost jobs as failed with those reasons, and logs bad lines', async () => {
    const clock = new VirtualClock();
    const server = new FakeComfy(clock);
    const io = pipe();
    const done = runReferenceDriver({
      input: io.input,
      output: io.output,
      env: { COMFY_URL: server.baseUrl },
      clientOptions: { clock, fetch: server.fetch, webSocketFactory: server.webSocketFactory, seed: 5 },
    });
    const prompt = { '9': { class_type: 'SaveImage', inputs: {} } };
    io.send('not json\n{"type":"submit"}\n');
    io.send(`${JSON.stringify({ type: 'submit', id: 'a', prompt })}\n${JSON.stringify({ type: 'submit', id: 'b', prompt, window: 'w2' })}\n`);
    await clock.runUntil(() => server.pending.length === 2, 10_000);
    io.send('{"type":"cancel","id":"a"}\n');
    await clock.runUntil(() => io.events.some((e) => e.type === 'failed' && e.id === 'a'), 10_000);
    server.start();
    server.restart();
    await clock.runUntil(() => io.events.some((e) => e.type === 'failed' && e.id === 'b'), 60_000);
    io.end();
    expect(await done).toBe(0);
    expect(io.events.filter((e) => e.type === 'log').length).toBeGreaterThanOrEqual(2);
    expect(io.events).toContainEqual(expect.objectContaining({ type: 'failed', id: 'a', reason: 'interrupted' }));
    expect(io.events).toContainEqual(expect.objectContaining({ type: 'failed', id: 'b', reason: 'lost' }));
  });

  it('exits with code 2 and says why when COMFY_URL is missing', async () => {
    const io = pipe();
    expect(await runReferenceDriver({ input: io.input, output: io.output, env: {} })).toBe(2);
    expect(io.events).toEqual([{ type: 'log', message: expect.stringContaining('COMFY_URL') }]);
  });
});
