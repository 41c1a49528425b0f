import { afterEach, describe, expect, it } from 'vitest';
import { postPromptOk, getQueueReply } from '../../../src/protocol/index.ts';
import type { FaultInput } from '../../../src/protocol/index.ts';
import { sleepGraph } from '../../helpers/graphs.ts';
import { startSim, type RawSocket, type SimFixture, type TransportKind } from '../../helpers/sim-fixture.ts';

/**
 * ComfyUI#11540 as the real server has it (execution.py `PromptQueue.task_done`, main.py's
 * worker loop): `execution_success` goes out before the history entry exists, but the prompt
 * stays in `currently_running` until task_done writes history and broadcasts the status under one
 * lock, and `executing {node: null}` comes after that. So a client that reads `/queue` and then
 * `/history` always finds the prompt in one of them. `history_replica_lag` is the other thing
 * (a lagging replica, not ComfyUI): there the prompt is for a while in neither.
 */

interface Sighting {
  where: 'queue' | 'history' | 'nowhere';
  /** What the socket had said by then. */
  sawSuccess: boolean;
  sawEnd: boolean;
}

async function whereIs(fx: SimFixture, promptId: string): Promise<Sighting['where']> {
  // /queue first, then /history: a prompt that left the queue between the two reads is in history.
  const queue = getQueueReply.parse((await fx.getJson('/queue')).body);
  const inQueue = [...queue.queue_running, ...queue.queue_pending].some((item) => item[1] === promptId);
  if (inQueue) return 'queue';
  const history = (await fx.getJson(`/history/${promptId}`)).body as Record<string, unknown>;
  return promptId in history ? 'history' : 'nowhere';
}

const endOf = (sock: RawSocket, promptId: string) =>
  sock.messages().some((m) => m.type === 'executing' && (m.data as { node?: unknown; prompt_id?: unknown }).node === null && (m.data as { prompt_id?: unknown }).prompt_id === promptId);

/** Submits one short job and reads /queue then /history every `everyMs` until its end was seen and history answered. */
async function watch(kind: TransportKind, fault: FaultInput, everyMs: number): Promise<{ fx: SimFixture; sock: RawSocket; promptId: string; sightings: Sighting[] }> {
  const fx = await startSim(kind, { faults: [fault] });
  const sock = fx.connect('c1');
  await fx.waitUntil(() => sock.frames.length > 0);
  const promptId = postPromptOk.parse((await fx.postJson('/prompt', { prompt: sleepGraph(100, 2), client_id: 'c1' })).body).prompt_id;
  const sightings: Sighting[] = [];
  // Bounded: 20 s of (virtual or real) time at most.
  for (let i = 0; i < Math.ceil(20_000 / everyMs); i++) {
    const sawSuccess = sock.types().includes('execution_success');
    const sawEnd = endOf(sock, promptId);
    const where = await whereIs(fx, promptId);
    sightings.push({ where, sawSuccess, sawEnd });
    if (sawEnd && where === 'history') break;
    await fx.pass(everyMs);
  }
  return { fx, sock, promptId, sightings };
}

describe.each<TransportKind>(['memory', 'network'])('the #11540 race on the %s transport', (kind) => {
  let fx: SimFixture | undefined;
  afterEach(async () => {
    await fx?.close();
    fx = undefined;
  });

  it('history_late: the prompt is always in /queue or /history, and executing{node:null} comes after history', async () => {
    const delayMs = kind === 'memory' ? 1_500 : 600;
    const run = await watch(kind, { type: 'history_late', delayMs, at: { on: 'time', afterMs: 0 } }, kind === 'memory' ? 50 : 40);
    fx = run.fx;
    const { sightings, sock, promptId } = run;
    expect(sightings.at(-1), 'the run reached its end').toMatchObject({ where: 'history', sawEnd: true });
    expect(sightings.filter((s) => s.where === 'nowhere'), 'reads that found the prompt nowhere').toEqual([]);
    // The race was really there: the socket said success while the prompt was still running.
    expect(sightings.some((s) => s.sawSuccess && !s.sawEnd && s.where === 'queue'), 'success seen while the prompt is still in /queue').toBe(true);
    // Every read after executing{node:null} finds history.
    expect(sightings.filter((s) => s.sawEnd).every((s) => s.where === 'history')).toBe(true);

    const mine = sock.messages().filter((m) => m.type === 'status' || (m.data as { prompt_id?: unknown })?.prompt_id === promptId);
    const types = mine.map((m) => m.type);
    const success = types.indexOf('execution_success');
    expect(types.slice(success), 'after execution_success: the final status, then executing{node:null}').toEqual(['execution_success', 'status', 'executing']);
    expect((mine[success + 1]!.data as { status: { exec_info: { queue_remaining: number } } }).status.exec_info.queue_remaining).toBe(0);

    const trace = run.fx.sim.trace;
    const at = (event: string) => trace.find((e) => e.kind === 'prompt' && e.event === event && e.promptId === promptId)!.t;
    expect(at('history_written') - at('success'), 'history is written delayMs after success').toBeGreaterThanOrEqual(delayMs);
  });

  it('history_replica_lag: the prompt leaves /queue and /history shows it only later (not ComfyUI)', async () => {
    const delayMs = kind === 'memory' ? 1_500 : 600;
    const run = await watch(kind, { type: 'history_replica_lag', delayMs, at: { on: 'time', afterMs: 0 } }, kind === 'memory' ? 50 : 40);
    fx = run.fx;
    expect(run.sightings.at(-1)).toMatchObject({ where: 'history', sawEnd: true });
    expect(run.sightings.some((s) => s.sawEnd && s.where === 'nowhere'), 'after executing{node:null}, a read finds it nowhere').toBe(true);
  });
});
