import { describeFault } from '../../protocol/index.ts';
import type { Scenario } from '../../scenarios/scenario.ts';
import type { Finding } from '../result.ts';
import type { TraceFacts } from './trace-facts.ts';

/** A moment the relay's upstream socket stopped being useful, and the trace line that shows it. */
interface Break {
  t: number;
  seq: number;
  what: string;
}

/**
 * The moments a relay's upstream WebSocket became useless: it closed (a drop, a restart, a
 * partition), went half-open for good (`silence` for ever), or was born deaf (the first socket
 * opened after a `deaf_reconnect` fault). Closes during the harness's shutdown do not count.
 */
function breaks(facts: TraceFacts, scenario: Scenario): Break[] {
  const end = facts.shutdown?.t ?? Infinity;
  const out: Break[] = [];
  for (const c of facts.connections) {
    if (c.close && c.close.t < end) out.push({ t: c.close.t, seq: c.close.seq, what: `upstream socket ${c.conn} closed (code ${c.close.code}, by the ${c.close.by})` });
  }
  for (const f of facts.faults) {
    if (f.t >= end) continue;
    const spec = scenario.faults.find((s) => s.type === f.faultType && describeFault(s) === f.fault);
    if (f.faultType === 'silence' && spec?.type === 'silence' && spec.durationMs === 0) out.push({ t: f.t, seq: f.seq, what: `the upstream socket went silent for good ("${f.fault}")` });
    if (f.faultType === 'deaf_reconnect') {
      const deaf = facts.connections.find((c) => c.open.t >= f.t);
      if (deaf) out.push({ t: deaf.open.t, seq: deaf.open.seq, what: `upstream socket ${deaf.conn} was deaf ("${f.fault}")` });
    }
  }
  return out.sort((a, b) => a.t - b.t);
}

/**
 * Upstream reconnect (relays): after the relay's upstream socket closed, went half-open or was
 * deaf, the relay opens a new one within the recovery bound (counted from when the network and
 * server were whole again). A relay that connects once at start-up and never again breaks it. A
 * run that ended before the bound expired is not judged (nobody waited long enough to know).
 */
export function upstreamReconnect(facts: TraceFacts, scenario: Scenario): Finding[] {
  if (!facts.relay || facts.connections.length === 0) return [];
  const end = facts.shutdown ?? facts.runEnd;
  const findings: Finding[] = [];
  for (const b of breaks(facts, scenario)) {
    const reopened = facts.connections.some((c) => c.open.t > b.t || (c.open.t === b.t && c.open.seq > b.seq));
    if (reopened) continue;
    const deadline = Math.max(b.t, facts.healthy.t) + scenario.recoveryBoundMs;
    if (end.t < deadline) continue;
    findings.push({
      invariant: 'upstream-reconnect',
      message: `${b.what} at ${b.t}ms and the relay never opened another (the run went on until ${end.t}ms; recovery bound ${scenario.recoveryBoundMs}ms after ${facts.healthy.t}ms)`,
      evidence: [b.seq],
    });
    break; // one is enough: every later break is the same story
  }
  return findings;
}
