import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/protocol/index.ts';
import type { FaultInput, TraceEvent } from '../../../src/protocol/index.ts';
import { Simulator } from '../../../src/simulator/index.ts';
import { RawSocket } from '../../helpers/sim-fixture.ts';

const terminateAt50: FaultInput = { type: 'terminate', at: { on: 'time', afterMs: 50 } };
const faultsOf = (sim: Simulator) => sim.trace.filter((e): e is Extract<TraceEvent, { kind: 'fault' }> => e.kind === 'fault');

describe('held time faults (holdTimeFaults + startTimeFaults)', () => {
  let sim: Simulator | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  function start(options: { holdTimeFaults?: boolean; faults?: FaultInput[] }) {
    const clock = new VirtualClock();
    sim = new Simulator({ clock, faults: [terminateAt50], ...options });
    const mem = sim.memoryTransport();
    const sock = new RawSocket(mem.webSocketFactory(`${mem.baseUrl.replace(/^http/, 'ws')}/ws?clientId=c1`));
    return { clock, sim, sock };
  }

  it('fires a time fault afterMs after start when not held', async () => {
    const { clock, sim, sock } = start({});
    await clock.advanceBy(49);
    expect(faultsOf(sim)).toEqual([]);
    await clock.advanceBy(1);
    expect(faultsOf(sim)).toMatchObject([{ t: 50, faultType: 'terminate', fault: 'terminate at 50ms', detail: 'time' }]);
    expect(sock.closeCode).toBe(1006);
  });

  it('does not fire a held time fault before startTimeFaults, however long the wait', async () => {
    const { clock, sim, sock } = start({ holdTimeFaults: true });
    await clock.advanceBy(10_000);
    expect(faultsOf(sim)).toEqual([]);
    expect(sock.opened).toBe(true);
    expect(sock.closeCode).toBeNull();
  });

  it('fires a held time fault afterMs after startTimeFaults, on the trace clock', async () => {
    const { clock, sim, sock } = start({ holdTimeFaults: true });
    await clock.advanceBy(1000);
    sim.startTimeFaults();
    await clock.advanceBy(49);
    expect(faultsOf(sim)).toEqual([]);
    expect(sock.closeCode).toBeNull();
    await clock.advanceBy(1);
    expect(faultsOf(sim)).toMatchObject([{ t: 1050, faultType: 'terminate', fault: 'terminate at 50ms', detail: 'time' }]);
    expect(sock.closeCode).toBe(1006);
    await clock.advanceBy(10_000);
    expect(faultsOf(sim)).toHaveLength(1);
  });

  it('holds only time triggers: a fault on the first connection still fires', async () => {
    const { clock, sim, sock } = start({ holdTimeFaults: true, faults: [{ type: 'terminate', at: { on: 'connect', occurrence: 1 } }] });
    await clock.advanceBy(10);
    expect(faultsOf(sim)).toMatchObject([{ faultType: 'terminate', fault: 'terminate on connect #1' }]);
    expect(sock.closeCode).toBe(1006);
  });

  it('does nothing when the time faults were not held', async () => {
    const { clock, sim } = start({});
    await clock.advanceBy(1000);
    sim.startTimeFaults();
    await clock.advanceBy(1000);
    expect(faultsOf(sim).map((f) => f.t)).toEqual([50]);
  });

  it('fires a time fault once when startTimeFaults is called twice', async () => {
    const { clock, sim } = start({ holdTimeFaults: true });
    sim.startTimeFaults();
    await clock.advanceBy(10);
    sim.startTimeFaults();
    await clock.advanceBy(1000);
    expect(faultsOf(sim).map((f) => f.t)).toEqual([50]);
  });

  it('fires a time fault injected while held once, on its own trigger', async () => {
    const { clock, sim } = start({ holdTimeFaults: true, faults: [] });
    sim.inject(terminateAt50);
    await clock.advanceBy(100);
    sim.startTimeFaults();
    await clock.advanceBy(1000);
    expect(faultsOf(sim).map((f) => f.t)).toEqual([50]);
  });
});
