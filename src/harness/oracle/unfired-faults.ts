import { describeFault, describeTrigger, type Fault, type TraceEvent } from '../../protocol/index.ts';
import type { Scenario } from '../../scenarios/scenario.ts';
import { pathMatches } from '../../simulator/faults/fault-injector.ts';
import type { UnfiredFault } from '../result.ts';

/**
 * Which of a scenario's faults never fired, and why, read from the trace (issue 12, point 2). A
 * fault that did not fire tested nothing: a client that submits without `client_id` never gets
 * `execution_start` (ComfyUI sends it to the prompt's client only), so "restart before
 * execution_start" never happens, and judging that client on what the restart should have done
 * is a false alarm. An HTTP fault that fired while no request of its path came shaped nothing,
 * and counts as unfired too.
 */

type Loose = Record<string, unknown>;
const stripApi = (path: string) => (path === '/api' ? '/' : path.startsWith('/api/') ? path.slice(4) : path);
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** What the trace says that the reasons need: one pass. */
interface Seen {
  /** Prompt ids in acceptance order on server 1 (the one the faults apply to), with their client id. */
  accepted: { promptId: string; clientId: string | null; outcome?: string; phases: Set<string> }[];
  /** Frames sent, by message type, and by message type and prompt id. */
  framesOfType: Map<string, number>;
  framesOfPrompt: Map<string, number>;
  jsonFrames: number;
  connections: number;
  /** Socket lifetimes on server 1, by trace line. */
  sockets: { open: number; close?: number; closeT?: number; closeCode?: number; clientId: string | null }[];
  refusedUpgrades: number[];
  requests: { method: string; path: string; seq: number; t: number; fault?: string }[];
  fired: Map<string, { seq: number; t: number }[]>;
  runEndT: number;
}

function readTrace(trace: readonly TraceEvent[]): Seen {
  const seen: Seen = { accepted: [], framesOfType: new Map(), framesOfPrompt: new Map(), jsonFrames: 0, connections: 0, sockets: [], refusedUpgrades: [], requests: [], fired: new Map(), runEndT: 0 };
  const socketOf = new Map<number, Seen['sockets'][number]>();
  const byId = new Map<string, Seen['accepted'][number]>();
  const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  for (const e of trace) {
    seen.runEndT = Math.max(seen.runEndT, e.t);
    const first = e.server === undefined || e.server === 1;
    if (e.kind === 'prompt' && first) {
      if (e.event === 'queued' && !byId.has(e.promptId)) {
        const p = { promptId: e.promptId, clientId: e.clientId ?? null, phases: new Set<string>() };
        byId.set(e.promptId, p);
        seen.accepted.push(p);
      } else if (['success', 'error', 'interrupted', 'lost', 'deleted'].includes(e.event)) {
        const p = byId.get(e.promptId);
        if (p && !p.outcome) p.outcome = e.event;
        if (p && ['success', 'error', 'interrupted'].includes(e.event)) p.phases.add('finished');
      } else if (e.event === 'started' || e.event === 'history_written') byId.get(e.promptId)?.phases.add(e.event);
    } else if (e.kind === 'ws_send' && first && e.msgType) {
      if (e.msgType !== 'binary') seen.jsonFrames++;
      bump(seen.framesOfType, e.msgType);
      if (e.promptId) bump(seen.framesOfPrompt, `${e.msgType}\u0000${e.promptId}`);
    } else if (e.kind === 'ws_connect' && first) {
      seen.connections++;
      const socket = { open: e.seq, clientId: e.clientId };
      socketOf.set(e.conn, socket);
      seen.sockets.push(socket);
    } else if (e.kind === 'ws_close' && first) {
      const socket = socketOf.get(e.conn);
      if (socket && socket.close === undefined) Object.assign(socket, { close: e.seq, closeT: e.t, closeCode: e.code });
    } else if (e.kind === 'ws_refused' && first) seen.refusedUpgrades.push(e.seq);
    else if (e.kind === 'http' && first) seen.requests.push({ method: e.method, path: stripApi(e.path), seq: e.seq, t: e.t, ...(e.fault ? { fault: e.fault } : {}) });
    else if (e.kind === 'fault') {
      const list = seen.fired.get(`${e.faultType}\u0000${e.fault}`) ?? [];
      list.push({ seq: e.seq, t: e.t });
      seen.fired.set(`${e.faultType}\u0000${e.fault}`, list);
    }
  }
  return seen;
}

/** Why a message trigger found nothing to fire on. */
function whyNoMessage(at: Extract<Fault['at'], { on: 'message' }>, seen: Seen): string {
  const of = at.prompt === undefined ? '' : ` of prompt ${at.prompt}`;
  if (at.prompt !== undefined && seen.accepted.length < at.prompt) {
    return `the server accepted ${plural(seen.accepted.length, 'prompt')}, so there was no prompt ${at.prompt} to send ${at.type} about`;
  }
  const prompts = at.prompt === undefined ? seen.accepted : [seen.accepted[at.prompt - 1]!];
  const sent = at.prompt === undefined ? (seen.framesOfType.get(at.type) ?? 0) : (seen.framesOfPrompt.get(`${at.type}\u0000${prompts[0]!.promptId}`) ?? 0);
  if (sent === 0 && prompts.length && prompts.every((p) => p.clientId === null)) {
    return `no ${at.type} was sent${of}: the client submitted without client_id, and ComfyUI sends ${at.type} only to the prompt's client`;
  }
  if (sent === 0) {
    const outcome = at.prompt !== undefined ? prompts[0]!.outcome : undefined;
    return `no ${at.type} was sent${of}${outcome ? ` (the prompt ended ${outcome} without one)` : seen.accepted.length ? '' : ' (the server accepted no prompt)'}`;
  }
  return `${plural(sent, `${at.type} message`)} ${sent === 1 ? 'was' : 'were'} sent${of}; the trigger waited for #${at.occurrence}`;
}

/** Why a prompt-phase trigger (`on: prompt`, `on: node`) found nothing to fire on. */
function whyNoPhase(at: { on: string; event: string; prompt?: number; occurrence: number }, seen: Seen): string {
  const phase = at.on === 'node' ? `a node ${at.event}` : at.event === 'history_written' ? 'its history was written' : `it ${at.event}`;
  if (at.prompt !== undefined && seen.accepted.length < at.prompt) return `the server accepted ${plural(seen.accepted.length, 'prompt')}, so prompt ${at.prompt} never existed`;
  const prompts = at.prompt === undefined ? seen.accepted : [seen.accepted[at.prompt - 1]!];
  if (!prompts.length) return 'the server accepted no prompt';
  const p = prompts[0]!;
  if (at.prompt !== undefined && at.on === 'prompt' && !p.phases.has(at.event)) return `prompt ${at.prompt} ended ${p.outcome ?? 'never'} before ${phase}`;
  if (at.on === 'node' && at.prompt !== undefined && !p.phases.has('started')) return `prompt ${at.prompt} never started (it ended ${p.outcome ?? 'never'})`;
  return `${at.on === 'node' ? 'no matching node' : 'no prompt'}${at.prompt === undefined ? '' : ` of prompt ${at.prompt}`} got that far ${at.occurrence > 1 ? `${at.occurrence} times` : ''}`.trim();
}

/** Why a fault's trigger never came, as far as the trace tells. */
function whyNotFired(fault: Fault, seen: Seen): string {
  const at = fault.at as Fault['at'] & Loose;
  switch (at.on) {
    case 'time':
      return `the run ended (${Math.round(seen.runEndT)} ms) before ${at.afterMs} ms`;
    case 'message':
      return whyNoMessage(at, seen);
    case 'connect':
      return `the client opened ${plural(seen.connections, 'WebSocket connection')}; the trigger waited for #${at.occurrence}`;
    case 'prompt':
    case 'node':
      return whyNoPhase(at as unknown as { on: string; event: string; prompt?: number; occurrence: number }, seen);
    case 'frames':
      return `the server sent ${plural(seen.jsonFrames, 'JSON frame')}; the trigger waited for more than ${at.count}`;
    case 'request': {
      const n = seen.requests.filter((r) => pathMatches(at.path, r.path) && (!at.method || at.method.toUpperCase() === r.method)).length;
      return `the client made ${plural(n, `${at.method ? `${at.method.toUpperCase()} ` : ''}request`)} to ${at.path}; the trigger waited for #${at.occurrence}`;
    }
    default:
      return `its trigger (${describeTrigger(fault.at)}) never came in this run`;
  }
}

/** Faults that act at once on the sockets open when they fire. */
const onOpenSockets = new Set(['terminate', 'close']);
/** Faults that act on sockets for a while after they fire: silence and stalls last, a frame fault alters the next frames. */
const onLaterSockets = new Set(['silence', 'stalled_peer', 'bom', 'garbage_prefix', 'heartbeat', 'truncate', 'non_json', 'duplicate', 'drop', 'reorder', 'unknown_type', 'extra_fields', 'binary_preview', 'oversized']);

/**
 * A fault that fired: did it touch the client at all? An HTTP fault with no request of its path
 * after it, a socket or frame fault while no socket was open (a client that only polls), a deaf
 * reconnect with no reconnect after it, refused upgrades with no upgrade asked: it tested nothing.
 */
function hadNoEffect(fault: Fault, fired: { seq: number; t: number }, seen: Seen): string | undefined {
  const firedSeq = fired.seq;
  const at = `it fired at trace line ${firedSeq}, but`;
  if (fault.type === 'toxic' && fault.toxic === 'limit_data') return limitDataCutNothing(fault, fired, seen, at);
  // (A hung request is traced only when it is let go, at the end of the run: not judged here.)
  if (fault.type === 'http_status' || fault.type === 'http_delay') {
    const shaped = seen.requests.some((r) => r.seq > firedSeq && r.fault?.startsWith(fault.type) && pathMatches(fault.path, r.path));
    return shaped ? undefined : `${at} no request to ${fault.path} came while it was in force`;
  }
  if (onOpenSockets.has(fault.type)) {
    const open = seen.sockets.some((s) => s.open < firedSeq && (s.close === undefined || s.close > firedSeq));
    return open ? undefined : `${at} no WebSocket was open then (${seen.connections ? 'the client\'s sockets were closed' : 'the client never opened one'}), so it reached no client`;
  }
  if (onLaterSockets.has(fault.type)) {
    const openLater = seen.sockets.some((s) => s.close === undefined || s.close > firedSeq);
    return openLater ? undefined : `${at} no WebSocket was open then or later (${seen.connections ? 'the client\'s sockets were closed' : 'the client never opened one'}), so it reached no client`;
  }
  if (fault.type === 'deaf_reconnect') {
    // ComfyUI#16010 needs a reconnect with a client id already used: a first connection is not one.
    const reconnected = seen.sockets.some((s, i) => s.open > firedSeq && s.clientId !== null && seen.sockets.slice(0, i).some((p) => p.clientId === s.clientId));
    return reconnected ? undefined : `${at} the client never reconnected with the same clientId, so no socket was deaf`;
  }
  if (fault.type === 'refuse_upgrades') {
    return seen.refusedUpgrades.some((seq) => seq > firedSeq) ? undefined : `${at} the client asked for no WebSocket while upgrades were refused`;
  }
  return undefined;
}

/** After a limit_data toxic's window, a cut it made is seen within this long (the proxy closes both ends at once). */
const CUT_GRACE_MS = 1_000;

/**
 * A limit_data toxic cuts a connection once that many bytes have gone through it while it is in
 * force: when fewer did (a quiet socket, small frames, as on 0.3.44 without progress_state), it
 * cut nothing. Judged only for a client that made no HTTP request in the window (a cut response
 * is not visible in the server's trace); no socket closed in the window (and a second after) means
 * nothing was cut (a cut ends a socket without a close handshake: 1006).
 */
function limitDataCutNothing(fault: Extract<Fault, { type: 'toxic' }>, fired: { seq: number; t: number }, seen: Seen, at: string): string | undefined {
  // durationMs 0: in force until the run ends.
  const until = fault.durationMs ? fired.t + fault.durationMs + CUT_GRACE_MS : Infinity;
  if (seen.requests.some((r) => r.t >= fired.t && r.t <= until)) return undefined;
  // A cut connection ends without a close handshake (1006); a client's own close (1000) is no cut.
  const cut = seen.sockets.some((s) => s.closeT !== undefined && s.closeT >= fired.t && s.closeT <= until && s.closeCode === 1006);
  if (cut) return undefined;
  const bytes = (fault.attributes as { bytes?: number } | undefined)?.bytes;
  const window = fault.durationMs ? ` (${fault.durationMs} ms, and ${CUT_GRACE_MS} ms after)` : '';
  return `${at} no WebSocket was cut (closed 1006) while it was in force${window} and no request was made: fewer than ${bytes ?? 'its'} bytes went down the connections, so it cut nothing`;
}

/** The scenario's faults that did not fire (or, HTTP faults, shaped no request), in schedule order. */
export function unfiredFaults(trace: readonly TraceEvent[], scenario: Pick<Scenario, 'faults'>): UnfiredFault[] {
  if (!scenario.faults.length) return [];
  const seen = readTrace(trace);
  const out: UnfiredFault[] = [];
  for (const fault of scenario.faults) {
    const label = describeFault(fault);
    const firings = seen.fired.get(`${fault.type}\u0000${label}`);
    // Two faults with the same description take one firing each, in order.
    const firing = firings?.shift();
    const why = firing ? hadNoEffect(fault, firing, seen) : whyNotFired(fault, seen);
    if (why) out.push({ fault: label, faultType: fault.type, why, ...(firing ? { firedAt: firing.seq } : {}) });
  }
  return out;
}
