import { describeFault, type Fault, type TraceEvent } from '../../protocol/index.ts';
import type { Scenario } from '../../scenarios/scenario.ts';

/** When the network and the server were last made whole again: the start of the recovery bound. */
export interface HealthyPoint {
  /** Run clock, ms; 0 when nothing ever went wrong. */
  t: number;
  /** The trace line that shows it (a note, a fault, a restart), if any. */
  seq?: number;
  why: string;
}

/**
 * How long a fault keeps hurting after it fires, in ms. Faults whose duration is 0 ("for ever":
 * `silence`, `stalled_peer`, a toxic left in place) leave HTTP working, so a client is expected
 * to recover by polling: the bound starts when they fire. One-shot faults (terminate, close,
 * frame faults, HTTP answers) end at once; `network healthy` notes cover Toxiproxy faults.
 */
export function effectMs(f: Fault): number {
  switch (f.type) {
    case 'refuse_upgrades':
    case 'silence':
    case 'stalled_peer':
    case 'partition':
    case 'toxic':
      return f.durationMs;
    case 'restart':
      return f.downMs;
    case 'http_delay':
      return f.delayMs;
    default:
      return 0;
  }
}

/**
 * The later of: the last `network healthy` note, the last `server restart_up`, the last HTTP
 * answer a fault shaped, and the end of the effect of every fault that fired (matched to the
 * scenario's schedule by its description).
 */
export function healthyPoint(trace: readonly TraceEvent[], scenario: Pick<Scenario, 'faults'>): HealthyPoint {
  let point: HealthyPoint = { t: 0, why: 'no fault' };
  const later = (t: number, seq: number, why: string) => {
    if (t >= point.t) point = { t, seq, why };
  };
  for (const e of trace) {
    if (e.kind === 'note' && e.message.startsWith('network healthy')) later(e.t, e.seq, 'network healthy');
    else if (e.kind === 'server' && e.event === 'restart_up') later(e.t, e.seq, 'server back up after a restart');
    // An HTTP fault with `times` hurts until its last shaped answer, however slowly the client
    // polls: a 3 s poller meets the fourth of four 500s twelve seconds after the fault fired.
    else if (e.kind === 'http' && e.fault) later(e.t, e.seq, `last answer shaped by fault "${e.fault}"`);
    else if (e.kind === 'fault') {
      const f = scenario.faults.find((s) => s.type === e.faultType && describeFault(s) === e.fault);
      const ms = f ? effectMs(f) : 0;
      later(e.t + ms, e.seq, ms > 0 ? `end of fault "${e.fault}" (${ms}ms)` : `fault "${e.fault}"`);
    }
  }
  return point;
}
