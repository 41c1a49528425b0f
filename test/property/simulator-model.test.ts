import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commandArbitraries, type ModelState } from './simulator-model/commands.ts';
import { checkpoint } from './simulator-model/checkpoint.ts';
import { coverage, resetCoverage } from './simulator-model/coverage.ts';
import { QueueModel } from './simulator-model/queue-model.ts';
import { checkInterleavedSubmits, interleavingArbitrary, interleavingStats } from './simulator-model/interleaving.ts';
import { SimWorld } from './simulator-model/sim-world.ts';
import { checkTraceInvariants } from './simulator-model/trace-invariants.ts';

/** Runs per property [default 40]; FUZZ_RUNS overrides. */
const numRuns = Number(process.env.FUZZ_RUNS ?? 40);
/** Fixed by default so `npm test` is repeatable; FUZZ_SEED overrides (a failure prints its seed and path). */
const seed = Number(process.env.FUZZ_SEED ?? 20251012);
/** Virtual time allowed for the queue to drain at the end of a run. */
const DRAIN_MAX_MS = 60_000;
const DRAIN_STEP_MS = 500;

describe('the simulator against a model of queue, history and sockets', () => {
  it('agrees with the model after every command, and its trace keeps the oracle invariants', async () => {
    resetCoverage();
    await fc.assert(
      fc.asyncProperty(fc.commands(commandArbitraries(), { maxCommands: 40, size: '+1' }), fc.nat(1000), async (commands, simSeed) => {
        const world = new SimWorld(simSeed + 1);
        const state: ModelState = { m: new QueueModel(world.clock.now()), cursor: { events: 0 }, labels: 0 };
        try {
          await fc.asyncModelRun(() => ({ model: state, real: world }), commands);
          // Let everything queued finish, in bounded virtual time, then look at the whole trace.
          for (let ms = 0; ms < DRAIN_MAX_MS && !(state.m.up && state.m.running === null && state.m.pending.length === 0); ms += DRAIN_STEP_MS) {
            await world.clock.advanceBy(DRAIN_STEP_MS);
            state.m.advanceTo(world.clock.now());
            await checkpoint(state.m, world, state.cursor);
          }
          await world.flush();
          expect(state.m.running === null && state.m.pending.length === 0, 'the queue drained').toBe(true);
          checkTraceInvariants(state.m, world);
        } finally {
          await world.close();
        }
      }),
      { numRuns, seed, endOnFailure: false },
    );
    if (process.env.FUZZ_COVERAGE) console.log('simulator-model coverage', coverage);
    // Not vacuous: the runs reached the behaviours the model is about (checked at the default size or more).
    if (numRuns >= 40) for (const key of ['cachedRuns', 'interrupted', 'errors', 'lost', 'deleted', 'replays', 'wholeRunSockets'] as const) {
      expect(coverage[key], `runs with ${key}`).toBeGreaterThan(0);
    }
  });

  it('handles WebSocket frames before the POST /prompt reply, and the reply agrees with the frames', async () => {
    interleavingStats.framesBeforeReply = 0;
    await fc.assert(fc.asyncProperty(interleavingArbitrary(), checkInterleavedSubmits), { numRuns, seed });
    // The scheduler must actually have produced the race this property is about.
    if (numRuns >= 40) expect(interleavingStats.framesBeforeReply, 'runs where a frame of a prompt arrived before its reply').toBeGreaterThan(0);
  });
});
