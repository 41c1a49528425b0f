/**
 * Virtual-clock speed-up: a scripted 10-minute prompt (SimSleep, 600,000 ms over 600 steps) on
 * the memory transport, a client socket connected through it, run to completion with
 * `VirtualClock.runUntil` (issue 2, "bench/": target under 100 ms of wall time).
 *
 *   node --expose-gc --import tsx bench/virtual-clock.ts
 *   BENCH_RUNS=7 (default; one extra warm-up run is reported apart)
 *
 * A run is: a fresh simulator and VirtualClock, connect `/ws?clientId=bench`, POST /prompt, then
 * run the clock until the client has seen `executing {node: null}` for the prompt and the history
 * entry exists. Wall time covers all of it (construction included); the speed-up is virtual
 * elapsed / wall elapsed.
 */
import { VirtualClock, type WebSocketLike } from '../src/protocol/index.ts';
import { Simulator } from '../src/simulator/index.ts';
import { sleepGraph } from '../test/helpers/graphs.ts';
import { median, round, writeReport } from './bench-report.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const PROMPT_MS = 600_000;
const STEPS = 600;
/** Virtual time allowed before a run is declared stuck: the prompt plus a minute. */
const MAX_VIRTUAL_MS = PROMPT_MS + 60_000;
const TARGET_WALL_MS = 100;

interface RunResult {
  wallMs: number;
  virtualMs: number;
  speedUp: number;
  frames: number;
  progressFrames: number;
  completed: boolean;
}

async function once(): Promise<RunResult> {
  const started = performance.now();
  const clock = new VirtualClock();
  const sim = new Simulator({ clock, seed: 1 });
  try {
    const mem = sim.memoryTransport();
    const origin = clock.now();
    const socket: WebSocketLike = mem.webSocketFactory(`${mem.baseUrl.replace(/^http/, 'ws')}/ws?clientId=bench`);
    let opened = false;
    let frames = 0;
    let progressFrames = 0;
    let promptId: string | null = null;
    let finished = false;
    socket.onopen = () => {
      opened = true;
    };
    socket.onmessage = (event) => {
      frames++;
      if (typeof event.data !== 'string') return;
      const message = JSON.parse(event.data) as { type: string; data: { node?: string | null; prompt_id?: string } };
      if (message.type === 'progress') progressFrames++;
      if (message.type === 'executing' && message.data.node === null && message.data.prompt_id === promptId) finished = true;
    };
    if (!(await clock.runUntil(() => opened, 1_000))) throw new Error('virtual-clock bench: the memory socket did not open');

    const reply = await mem.fetch(`${mem.baseUrl}/prompt`, {
      method: 'POST',
      body: JSON.stringify({ prompt: sleepGraph(PROMPT_MS, STEPS, 'bench'), client_id: 'bench' }),
    });
    if (reply.status !== 200) throw new Error(`virtual-clock bench: POST /prompt answered ${reply.status}: ${await reply.text()}`);
    promptId = ((await reply.json()) as { prompt_id: string }).prompt_id;

    const done = await clock.runUntil(() => finished && sim.core.history.get(promptId!) !== undefined, MAX_VIRTUAL_MS);
    const wallMs = performance.now() - started;
    const virtualMs = clock.now() - origin;
    socket.close();
    return { wallMs, virtualMs, speedUp: virtualMs / wallMs, frames, progressFrames, completed: done };
  } finally {
    await sim.close();
  }
}

async function main() {
  console.log(`virtual-clock: SimSleep ${PROMPT_MS} ms over ${STEPS} steps on the memory transport; ${RUNS} runs after 1 warm-up`);
  const warmUp = await once();
  console.log(`  warm-up: wall ${round(warmUp.wallMs)} ms, virtual ${warmUp.virtualMs} ms, x${Math.round(warmUp.speedUp)}, ${warmUp.frames} frames`);
  const runs: RunResult[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await once();
    runs.push(r);
    console.log(
      `  run ${i + 1}: wall ${round(r.wallMs)} ms, virtual ${r.virtualMs} ms, speed-up x${Math.round(r.speedUp)}, ${r.frames} frames (${r.progressFrames} progress)${r.completed ? '' : ' DID NOT COMPLETE'}`,
    );
  }
  const wallMsMedian = median(runs.map((r) => r.wallMs));
  const virtualMsMedian = median(runs.map((r) => r.virtualMs));
  const speedUpMedian = median(runs.map((r) => r.speedUp));
  const allCompleted = runs.every((r) => r.completed) && warmUp.completed;
  const met = allCompleted && wallMsMedian < TARGET_WALL_MS;
  console.log(
    `virtual-clock median: wall ${round(wallMsMedian)} ms for ${virtualMsMedian} virtual ms, speed-up x${Math.round(speedUpMedian)} (target wall < ${TARGET_WALL_MS} ms: ${met ? 'met' : 'NOT met'})`,
  );
  const file = writeReport('virtual-clock', {
    bench: 'virtual-clock',
    date: new Date().toISOString(),
    node: process.version,
    promptMs: PROMPT_MS,
    steps: STEPS,
    runs: RUNS,
    targetWallMs: TARGET_WALL_MS,
    wallMsMedian: round(wallMsMedian, 2),
    virtualMsMedian,
    speedUpMedian: Math.round(speedUpMedian),
    wallMsColdWarmUp: round(warmUp.wallMs, 2),
    allCompleted,
    met,
    results: runs.map((r) => ({ ...r, wallMs: round(r.wallMs, 2), speedUp: Math.round(r.speedUp) })),
  });
  console.log(`report: ${file}`);
}

await main();
