import { afterEach, describe, expect, it } from 'vitest';
import { postPromptOk } from '../../../src/protocol/index.ts';
import type { FaultInput } from '../../../src/protocol/index.ts';
import { sleepGraph } from '../../helpers/graphs.ts';
import { startSim, type SimFixture } from '../../helpers/sim-fixture.ts';

/**
 * `prompt` and `node` triggers are phases of the job on the server: they fire for a prompt
 * submitted without client_id, which gets no `execution_start`, `executed` or `execution_success`
 * (ComfyUI sends those to the prompt's client only), where a `message` trigger on those never fires.
 */
describe('server-phase triggers (memory transport)', () => {
  let fx: SimFixture | undefined;
  afterEach(async () => {
    await fx?.close();
    fx = undefined;
  });

  const firedLabels = (f: SimFixture) => f.sim.trace.filter((e) => e.kind === 'fault').map((e) => (e as { fault: string }).fault);

  async function runWithout(faults: FaultInput[], clientId?: string): Promise<SimFixture> {
    const f = await startSim('memory', { faults });
    f.connect(); // a socket without clientId, as a client that never gave one
    const body = { prompt: sleepGraph(200, 2, 'x'), ...(clientId ? { client_id: clientId } : {}) };
    const promptId = postPromptOk.parse((await f.postJson('/prompt', body)).body).prompt_id;
    await f.waitUntil(() => f.sim.trace.some((e) => e.kind === 'prompt' && e.promptId === promptId && ['history_written', 'lost'].includes(e.event)), 10_000);
    await f.pass(100);
    return f;
  }

  it('fires prompt and node phases for a prompt without client_id, where message triggers on its client-only messages never fire', async () => {
    fx = await runWithout([
      { type: 'duplicate', label: 'message execution_start', at: { on: 'message', type: 'execution_start' } },
      { type: 'duplicate', label: 'message executed', at: { on: 'message', type: 'executed' } },
      { type: 'duplicate', label: 'prompt started', at: { on: 'prompt', event: 'started', prompt: 1 } },
      { type: 'duplicate', label: 'first node started', at: { on: 'node', event: 'started', prompt: 1 } },
      { type: 'duplicate', label: 'node 2 finished', at: { on: 'node', event: 'finished', node: '2' } },
      { type: 'duplicate', label: 'output finished', at: { on: 'node', event: 'finished', outputNode: true } },
      { type: 'duplicate', label: 'prompt finished', at: { on: 'prompt', event: 'finished' } },
      { type: 'duplicate', label: 'history written', at: { on: 'prompt', event: 'history_written' } },
      { type: 'duplicate', label: 'status of prompt 1, second', at: { on: 'message', type: 'status', prompt: 1, occurrence: 2 } },
    ]);
    expect(firedLabels(fx).sort()).toEqual(
      ['first node started', 'history written', 'node 2 finished', 'output finished', 'prompt finished', 'prompt started', 'status of prompt 1, second'].sort(),
    );
    expect(fx.sim.core.injector.unfired().map((f) => f.label).sort()).toEqual(['message executed', 'message execution_start']);
  });

  it('counts occurrences and filters by prompt and by output node', async () => {
    fx = await runWithout([
      { type: 'duplicate', label: 'second node start', at: { on: 'node', event: 'started', occurrence: 2 } },
      { type: 'duplicate', label: 'third node start', at: { on: 'node', event: 'started', occurrence: 3 } },
      { type: 'duplicate', label: 'prompt 2 started', at: { on: 'prompt', event: 'started', prompt: 2 } },
      { type: 'duplicate', label: 'non-output finished', at: { on: 'node', event: 'finished', outputNode: false } },
    ]);
    expect(firedLabels(fx).sort()).toEqual(['non-output finished', 'second node start']);
  });

  it('fires the phases a recorded (scripted) prompt shows', async () => {
    const script = [
      {
        promptId: 'rec',
        outcome: 'success' as const,
        frames: [
          { atMs: 0, message: { type: 'execution_start', data: { prompt_id: 'rec' } } },
          { atMs: 10, message: { type: 'executing', data: { node: '9', prompt_id: 'rec' } } },
          { atMs: 20, message: { type: 'executed', data: { node: '9', output: { text: ['r'] }, prompt_id: 'rec' } } },
          { atMs: 30, message: { type: 'execution_success', data: { prompt_id: 'rec' } } },
        ],
      },
    ];
    fx = await startSim('memory', {
      script,
      faults: [
        { type: 'duplicate', label: 'node 9 started', at: { on: 'node', event: 'started', node: '9' } },
        { type: 'duplicate', label: 'output finished', at: { on: 'node', event: 'finished', outputNode: true } },
        { type: 'duplicate', label: 'prompt finished', at: { on: 'prompt', event: 'finished' } },
      ],
    });
    const promptId = postPromptOk.parse((await fx.postJson('/prompt', { prompt: sleepGraph(10, 1), client_id: 'c1' })).body).prompt_id;
    const f = fx;
    await f.waitUntil(() => f.sim.trace.some((e) => e.kind === 'prompt' && e.promptId === promptId && e.event === 'history_written'), 10_000);
    expect(firedLabels(f).sort()).toEqual(['node 9 started', 'output finished', 'prompt finished']);
  });

  it('a restart as the engine starts prompt 1 kills it before execution_start, with or without client_id', async () => {
    for (const clientId of [undefined, 'c1']) {
      const f = await runWithout([{ type: 'restart', downMs: 100, loseState: true, at: { on: 'prompt', event: 'started', prompt: 1 } }], clientId);
      const events = f.sim.trace.filter((e) => e.kind === 'prompt').map((e) => (e as { event: string }).event);
      expect(events, `client_id ${clientId ?? 'none'}`).toEqual(['queued', 'started', 'lost']);
      expect(f.sim.trace.some((e) => e.kind === 'ws_send' && e.msgType === 'execution_start')).toBe(false);
      await f.close();
    }
  });
});
