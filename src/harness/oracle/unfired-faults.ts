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
  accepted: { promptId: string; clientId: string | null; outcome?: string }[];
  /** Frames sent, by message type, and by message type and prompt id. */
  framesOfType: Map<string, number>;
  framesOfPrompt: Map<string, number>;
  jsonFrames: number;
  connections: number;
  requests: { method: string; path: string; seq: number; fault?: string }[];
  fired: Map<string, { seq: number }[]>;
  runEndT: number;
}

function readTrace(trace: readonly TraceEvent[]): Seen {
  const seen: Seen = { accepted: [], framesOfType: new Map(), framesOfPrompt: new Map(), jsonFrames: 0, connections: 0, requests: [], fired: new Map(), runEndT: 0 };
  const byId = new Map<string, Seen['accepted'][number]>();
  const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  for (const e of trace) {
    seen.runEndT = Math.max(seen.runEndT, e.t);
    const first = e.server === undefined || e.server === 1;
    if (e.kind === 'prompt' && first) {
      if (e.event === 'queued' && !byId.has(e.promptId)) {
        const p = { promptId: e.promptId, clientId: e.clientId ?? null };
        byId.set(e.promptId, p);
        seen.accepted.push(p);
      } else if (['success', 'error', 'interrupted', 'lost', 'deleted'].includes(e.event)) {
        const p = byId.get(e.promptId);
        if (p && !p.outcome) p.outcome = e.event;
      }
    } else if (e.kind === 'ws_send' && first && e.msgType) {
      if (e.msgType !== 'binary') seen.jsonFrames++;
      bump(seen.framesOfType, e.msgType);
      if (e.promptId) bump(seen.framesOfPrompt, `${e.msgType}\u0000${e.promptId}`);
    } else if (e.kind === 'ws_connect' && first) seen.connections++;
    else if (e.kind === 'http' && first) seen.requests.push({ method: e.method, path: stripApi(e.path), seq: e.seq, ...(e.fault ? { fault: e.fault } : {}) });
    else if (e.kind === 'fault') {
      const list = seen.fired.get(`${e.faultType}\u0000${e.fault}`) ?? [];
      list.push({ seq: e.seq });
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

/** An HTTP fault that fired: did any request feel it? */
function shapedNothing(fault: Fault, firedSeq: number, seen: Seen): string | undefined {
  // (A hung request is traced only when it is let go, at the end of the run: not judged here.)
  if (fault.type !== 'http_status' && fault.type !== 'http_delay') return undefined;
  const shaped = seen.requests.some((r) => r.seq > firedSeq && r.fault?.startsWith(fault.type) && pathMatches(fault.path, r.path));
  if (shaped) return undefined;
  return `it fired at trace line ${firedSeq}, but no request to ${fault.path} came while it was in force`;
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
    const why = firing ? shapedNothing(fault, firing.seq, seen) : whyNotFired(fault, seen);
    if (why) out.push({ fault: label, faultType: fault.type, why });
  }
  return out;
}
