import type { FaultInput, TraceEvent } from '../../protocol/index.ts';
import type { PromptTimeline } from './server-timeline.ts';
import {
  droppedWithoutCloseFrame,
  malformedReason,
  messageOfText,
  ms,
  proxyFailure,
  proxyFailuresBetween,
  proxyRefusalReason,
  upstreamBackAfter,
  type CloseEvent,
  type HttpEvent,
  type RefusedEvent,
} from './recorded-traffic.ts';
import { RECORDING_STOPPING } from './trace-markers.ts';

/**
 * Faults from evidence (issue 16): what the recording shows went wrong, as faults of the scenario,
 * each with the trace lines that show it. Nothing is invented: where the recording cannot tell
 * the cause (a socket that dropped while nobody tried to reach the server), the fault says only
 * what is known and the evidence says what is not.
 *
 * - a socket the upstream side dropped without a close frame (1006), followed by answers the
 *   proxy made itself (the upstream unreachable) until the upstream answered again: a `partition`
 *   for that long, or a `restart` when the server afterwards no longer knew a prompt it had;
 * - a close frame from the server: a `close` with its code;
 * - upgrades the server itself refused: `refuse_upgrades` for that long, with its status;
 * - 5xx answers of the server itself, and 502s of the proxy outside an outage: `http_status`;
 * - a malformed frame is not a fault: it is in the script as it was recorded.
 */

export interface InferredFault {
  fault: FaultInput;
  /** Why: the trace lines (seq) and what they show, one sentence each. */
  evidence: string[];
}

export interface FaultEvidence {
  faults: InferredFault[];
  /** Frames kept as recorded that are not one JSON document (BOM, prefix, cut), with where they are. */
  malformedFrames: string[];
  /** What went wrong whose cause the recording does not show. */
  undetermined: string[];
}

/** The point of the job at recording time `t`, as a trigger (a phase or message trigger of the prompt running then, else a time). */
export function triggerAt(t: number, timelines: readonly PromptTimeline[], origin: number): { at: FaultInput['at']; where: string } {
  const running = timelines.find((p) => p.startedAt !== undefined && p.startedAt <= t && (p.endedAt === undefined || t < p.endedAt));
  if (running) {
    const before = running.received.filter((e) => e.t <= t);
    const last = before.at(-1);
    const type = last && 'text' in last.frame ? messageOfText(last.frame.text)?.type : undefined;
    if (last && type) {
      const occurrence = before.filter((e) => 'text' in e.frame && messageOfText(e.frame.text)?.type === type).length;
      return {
        at: { on: 'message', when: 'after', type, prompt: running.index, occurrence },
        where: `in prompt ${running.index}, right after its ${ordinal(occurrence)} ${type} (trace line ${last.seq}, ${ms(t - last.t)} before)`,
      };
    }
    return { at: { on: 'prompt', event: 'started', prompt: running.index }, where: `as prompt ${running.index} started (no frame of it had reached the client)` };
  }
  const afterMs = Math.max(0, Math.round(t - origin));
  return { at: { on: 'time', afterMs }, where: `at ${afterMs} ms (no prompt was running on the server)` };
}

const ordinal = (n: number) => `${n}${n % 10 === 1 && n % 100 !== 11 ? 'st' : n % 10 === 2 && n % 100 !== 12 ? 'nd' : n % 10 === 3 && n % 100 !== 13 ? 'rd' : 'th'}`;

/** Where the recording starts to stop (its own 1001 closes follow): the proxy's note, else the end. */
function stopIndex(events: readonly TraceEvent[]): number {
  const i = events.findIndex((e) => e.kind === 'note' && e.message.startsWith(RECORDING_STOPPING));
  return i < 0 ? events.length : i;
}

/** Every prompt of the recording had ended by `t`, and none started later. */
function afterEveryJob(timelines: readonly PromptTimeline[], t: number): boolean {
  return timelines.length > 0 && timelines.every((p) => p.outcome !== 'unknown' && p.startedAt !== undefined && p.startedAt <= t && p.endedAt !== undefined && p.endedAt <= t);
}

export function inferFaults(events: readonly TraceEvent[], timelines: readonly PromptTimeline[], origin: number): FaultEvidence {
  const faults: InferredFault[] = [];
  const undetermined: string[] = [];
  const stop = stopIndex(events);
  const live = events.slice(0, stop);
  const end = live.at(-1)?.t ?? 0;
  /** Outages already explained by a drop: failures inside them are part of that fault. */
  const outages: Array<[number, number]> = [];
  const inOutage = (t: number) => outages.some(([a, b]) => t >= a && t <= b);

  const closes = live.filter((e): e is CloseEvent => e.kind === 'ws_close' && e.by === 'server');
  for (let i = 0; i < closes.length; i++) {
    const close = closes[i]!;
    // Sockets that dropped together (one cut) are one fault.
    const group = [close];
    while (i + 1 < closes.length && closes[i + 1]!.t - close.t < 50 && closes[i + 1]!.code === close.code) group.push(closes[++i]!);
    const conns = group.map((c) => `conn ${c.conn}`).join(', ');
    const { at, where } = triggerAt(close.t, timelines, origin);
    if (close.code !== 1006) {
      faults.push({ fault: { type: 'close', code: close.code, at }, evidence: [`line ${close.seq}: the server closed ${conns} with a close frame, code ${close.code}, ${where}`] });
      continue;
    }
    const noFrame = droppedWithoutCloseFrame(events, close) ? 'the upstream connection ended without a close frame (1006)' : 'closed with 1006 (no close frame)';
    const back = upstreamBackAfter(live, close.t);
    const until = back?.t ?? end;
    const failures = proxyFailuresBetween(live, close.t, until);
    const lastFailure = failures.at(-1)?.t;
    const lost = timelines.filter((p) => p.outcome === 'lost' && p.startedAt !== undefined && p.startedAt <= close.t);
    const kept = timelines.filter((p) => p.outcome !== 'lost' && p.outcome !== 'unknown' && p.startedAt !== undefined && p.startedAt <= close.t && (p.endedAt ?? 0) > close.t);
    // Down for at least until the last failure, at most until the upstream answered: the middle.
    const downMs = Math.max(1, Math.round((lastFailure !== undefined && back ? (lastFailure + back.t) / 2 : lastFailure ?? back?.t ?? close.t + 1) - close.t));
    outages.push([close.t, until]);
    const evidence = [`line ${close.seq}: ${conns} ${noFrame} ${where}`];
    if (failures.length) {
      const first = failures[0]!;
      const reason = first.kind === 'http' ? proxyFailure(first as HttpEvent) : proxyRefusalReason(events, first as RefusedEvent);
      evidence.push(`lines ${first.seq}-${failures.at(-1)!.seq}: ${failures.length} request(s) and upgrade(s) answered 502 by the recording proxy, the upstream unreachable (${reason})`);
    }
    if (back) evidence.push(`line ${back.seq}: the upstream answered again ${ms(back.t - close.t)} after the drop (${back.kind === 'http' ? `${back.method} ${back.path} ${back.status}` : 'a socket accepted'})`);
    if (lost.length) {
      evidence.push(`the server then no longer knew prompt ${lost.map((p) => p.index).join(', ')} (not in /history or /queue): it restarted and lost its state`);
      faults.push({ fault: { type: 'restart', downMs, loseState: true, at }, evidence });
    } else if (failures.length) {
      if (kept.length) evidence.push(`the server went on meanwhile: prompt ${kept.map((p) => `${p.index} ended ${p.outcome} at ${ms(p.endedAt! - origin)}`).join(', ')} (its history): the network was cut, not the server`);
      evidence.push(`replayed as a partition of ${downMs} ms (Toxiproxy, network transport): the middle between the last failure and the first answer`);
      faults.push({ fault: { type: 'partition', durationMs: downMs, at }, evidence });
    } else if (!back && afterEveryJob(timelines, close.t)) {
      // The recording's last words (a client or server going away once every job had ended):
      // no job of the replay can meet it, so it is said, not replayed (it raced the proxy's
      // stopping note on a loaded machine and gave an extra terminate).
      undetermined.push(`${conns} dropped at ${ms(close.t - origin)}, after every job had ended and with nothing after it: the end of the recording, not replayed`);
    } else {
      evidence.push(back ? `nothing tried to reach the server between the drop and line ${back.seq}: whether the network or the server dropped it, and for how long, the recording cannot tell` : 'nothing reached the server after the drop: the cause cannot be told');
      evidence.push('replayed as the drop only (terminate)');
      faults.push({ fault: { type: 'terminate', at }, evidence });
      undetermined.push(`${conns} dropped at ${ms(close.t - origin)}: the cause (network or server) and how long the server was unreachable are not in the recording`);
    }
  }

  // Upgrades the server itself refused (not the proxy's 502s), one fault per run of refusals.
  const refusals = live.filter((e): e is RefusedEvent => e.kind === 'ws_refused' && proxyRefusalReason(events, e) === null && !inOutage(e.t));
  for (let i = 0; i < refusals.length; i++) {
    const run = [refusals[i]!];
    while (i + 1 < refusals.length && refusals[i + 1]!.status === run[0]!.status && !live.some((e) => e.kind === 'ws_connect' && e.t > run.at(-1)!.t && e.t < refusals[i + 1]!.t)) run.push(refusals[++i]!);
    const first = run[0]!;
    const accepted = live.find((e) => e.kind === 'ws_connect' && e.t > run.at(-1)!.t);
    const lastT = run.at(-1)!.t;
    const durationMs = Math.max(1, Math.round((accepted ? (lastT + accepted.t) / 2 : lastT + 1) - first.t + 1));
    const { at, where } = triggerAt(first.t - 1, timelines, origin);
    faults.push({
      fault: { type: 'refuse_upgrades', status: first.status, durationMs, at },
      evidence: [
        `lines ${first.seq}-${run.at(-1)!.seq}: the server refused ${run.length} upgrade(s) with ${first.status}, starting ${where}`,
        accepted ? `line ${accepted.seq}: an upgrade was accepted ${ms(accepted.t - first.t)} after the first refusal` : 'no upgrade was accepted afterwards',
      ],
    });
  }

  // HTTP failures: the server's own 5xx, and the proxy's 502s that no outage explains.
  const failed = live.filter((e): e is HttpEvent => e.kind === 'http' && (e.status >= 500 || proxyFailure(e) !== null) && !inOutage(e.t));
  const byPath = new Map<string, HttpEvent[]>();
  for (const e of failed) byPath.set(`${e.status} ${e.path.replace(/^\/api/, '')}`, [...(byPath.get(`${e.status} ${e.path.replace(/^\/api/, '')}`) ?? []), e]);
  for (const list of byPath.values()) {
    const first = list[0]!;
    const path = first.path.replace(/^\/api/, '');
    const occurrence = live.filter((e) => e.kind === 'http' && e.path.replace(/^\/api/, '') === path && e.seq <= first.seq).length;
    const status = first.status === 0 ? 502 : first.status;
    const why = proxyFailure(first) ? `answered ${status} by the recording proxy (${proxyFailure(first)})` : `answered ${status} by the server`;
    faults.push({
      fault: { type: 'http_status', path, status, times: list.length, at: { on: 'request', path, occurrence } },
      evidence: [`lines ${list.map((e) => e.seq).join(', ')}: ${list.length} ${first.method} ${path} ${why}, from its ${ordinal(occurrence)} request`],
    });
  }

  const malformedFrames: string[] = [];
  for (const p of timelines) {
    for (const e of p.received) {
      const text = 'text' in e.frame ? e.frame.text : '';
      const reason = malformedReason(text);
      if (!reason) continue;
      const type = messageOfText(text)?.type;
      if (p.script) {
        malformedFrames.push(`line ${e.seq}: a frame of prompt ${p.index} (${type ?? 'no type'}) is ${reason}: kept in the script as recorded`);
        continue;
      }
      // No script (nothing says how the prompt ended): the engine runs it, and the frame comes back as the frame fault that makes it.
      const fault = frameFaultFor(text, reason, type, p, e.seq);
      if (fault) faults.push({ fault, evidence: [`line ${e.seq}: a frame of prompt ${p.index} (${type ?? 'no type'}) was ${reason}`, `prompt ${p.index} runs on the engine (the recording never shows how it ended): the frame is made again by this fault`] });
      else undetermined.push(`line ${e.seq}: a frame of prompt ${p.index} was ${reason}, but which message it stood for is not known; it is not replayed`);
    }
  }
  return { faults, malformedFrames, undetermined };
}

/** The frame fault that turns the engine's frame into the recorded one, before the same message of the same prompt. */
function frameFaultFor(text: string, reason: string, type: string | undefined, p: PromptTimeline, seq: number): FaultInput | undefined {
  if (!type) return undefined;
  const occurrence = p.received.filter((e) => e.seq <= seq && 'text' in e.frame && messageOfText(e.frame.text)?.type === type).length;
  const at = { on: 'message', when: 'before', type, prompt: p.index, occurrence } as const;
  if (text.startsWith('\uFEFF')) return { type: 'bom', at };
  const brace = text.indexOf('{');
  if (brace > 0 && reason.startsWith('text before')) return { type: 'garbage_prefix', garbage: text.slice(0, brace), at };
  return undefined;
}
