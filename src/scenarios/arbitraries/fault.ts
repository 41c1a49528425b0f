import fc from 'fast-check';
import {
  connectionFaultTypes,
  frameFaultTypes,
  httpFaultTypes,
  networkFaultTypes,
  type Fault,
  type FaultType,
  type Trigger,
} from '../../protocol/index.ts';
import { ArbitraryConstraintError, checkInteger } from './_internals/constraint-error.ts';
import { trigger, triggerRequestPaths, type TriggerConstraints } from './trigger.ts';

/** The layers of design.md's fault vocabulary. */
export type FaultLayer = 'frame' | 'connection' | 'http' | 'network';
export const faultLayers: readonly FaultLayer[] = ['frame', 'connection', 'http', 'network'];

export const faultTypesByLayer: Record<FaultLayer, readonly FaultType[]> = {
  frame: frameFaultTypes,
  connection: connectionFaultTypes,
  http: httpFaultTypes,
  network: networkFaultTypes,
};

/**
 * Types drawn only when `types` names them: `history_replica_lag` is not ComfyUI's behaviour
 * (a lagging replica in front of it), and leaving it out of the defaults keeps old seeds valid.
 */
export const optInFaultTypes: readonly FaultType[] = ['history_replica_lag'];
const defaultTypesOf = (layer: FaultLayer) => faultTypesByLayer[layer].filter((t) => !optInFaultTypes.includes(t));

export interface FaultConstraints {
  /**
   * Which layers [default frame, connection and http]. `network` faults (Toxiproxy) need the
   * network transport; on the memory transport a scenario with one is skipped.
   */
  layers?: readonly FaultLayer[];
  /** Only these fault types (within `layers`) [default every type of the layers] */
  types?: readonly FaultType[];
  /** Longest duration of any fault (outage, silence, delay, toxic), in ms, so a run stays short [default 3000] */
  maxDurationMs?: number;
  /** Whether a restart may lose queue and history; its jobs' outcome is then not `completed` [default true] */
  loseState?: boolean;
  /**
   * Longest `http_delay`, in ms [default 1500]: below the 2 s request timeout of generated
   * scenarios. Past it, a delayed `POST /prompt` (held before it is handled, like a slow proxy)
   * is queued after the client gave up, looked, found nothing and posted again: the job runs
   * twice, and no client can tell. A delayed read past it is the next constraint's finding.
   */
  maxRequestDelayMs?: number;
  /**
   * Paths an `http_hang` may hit [default `/prompt` only]. The reference client does not retry a
   * resync read of `/history/{id}` that timed out: the job waits for the health timeout (30 s)
   * (test/property/findings/resync-read-timeout-not-retried.yaml). Add `/history/*` to hunt it.
   */
  hangPaths?: readonly (typeof triggerRequestPaths)[number][];
  /**
   * Longest `history_late` and `history_replica_lag` delay, in ms [default 1500]. Under
   * `history_replica_lag` (opt-in) a job is for a while in neither `/queue` nor `/history`; the
   * reference client declares it `lost` once three checks 1 s apart find it nowhere, so a longer
   * lag while the socket is silent is reported lost although the server never restarted
   * (test/property/findings/lost-while-history-late-and-socket-silent.yaml, found when
   * `history_late` still modelled that lag).
   */
  maxHistoryLateMs?: number;
  /** How the fault is triggered [default {@link trigger}'s defaults] */
  trigger?: TriggerConstraints;
}

type At = { at: Trigger };

/**
 * One fault of any layer, fully spelled out (every default written), so that it is both a valid
 * `FaultInput` and equal to what `fault.parse` makes of it. Durations are bounded by
 * `maxDurationMs`; none is "for ever" except a `silence` or `stalled_peer` of 0, which leaves
 * HTTP working (the client must poll).
 */
export function fault(constraints: FaultConstraints = {}): fc.Arbitrary<Fault> {
  const layers = constraints.layers ?? (['frame', 'connection', 'http'] as const);
  const maxMs = constraints.maxDurationMs ?? 3_000;
  const loseState = constraints.loseState ?? true;
  const maxRequestDelayMs = constraints.maxRequestDelayMs ?? 1_500;
  const hangPaths = constraints.hangPaths ?? ['/prompt'];
  const maxHistoryLateMs = constraints.maxHistoryLateMs ?? 1_500;
  for (const layer of layers) {
    if (!faultLayers.includes(layer)) throw new ArbitraryConstraintError('fault', 'layers', layer, `one of ${faultLayers.join(', ')}`);
  }
  checkInteger('fault', 'maxDurationMs', maxMs, 100);
  checkInteger('fault', 'maxRequestDelayMs', maxRequestDelayMs, 50);
  if (hangPaths.length === 0 || hangPaths.some((p) => !triggerRequestPaths.includes(p))) {
    throw new ArbitraryConstraintError('fault', 'hangPaths', hangPaths, `one or more of ${triggerRequestPaths.join(', ')}`);
  }
  checkInteger('fault', 'maxHistoryLateMs', maxHistoryLateMs, 50);
  const inLayers = layers.flatMap((l) => faultTypesByLayer[l]);
  const types = constraints.types ? inLayers.filter((t) => constraints.types!.includes(t)) : inLayers.filter((t) => !optInFaultTypes.includes(t));
  if (types.length === 0) {
    throw new ArbitraryConstraintError('fault', 'types', constraints.types, `one or more fault types of the layers ${layers.join(', ')} (${inLayers.join(', ')})`);
  }

  const at = trigger(constraints.trigger);
  const ms = (min: number) => fc.integer({ min: Math.ceil(min / 50), max: Math.floor(maxMs / 50) }).map((n) => n * 50);
  const frames = fc.integer({ min: 1, max: 3 });
  const path = fc.constantFrom(...triggerRequestPaths);
  const times = (max: number) => fc.integer({ min: 1, max });
  const of = <T extends object>(type: FaultType, fields: fc.Arbitrary<T>) =>
    fc.tuple(at, fields).map(([a, f]) => ({ type, at: a, ...f }) as unknown as Fault & At);
  const none = fc.constant({});

  const byType: Record<FaultType, fc.Arbitrary<Fault>> = {
    // frame
    bom: of('bom', fc.record({ frames })),
    garbage_prefix: of('garbage_prefix', fc.record({ frames, garbage: fc.constantFrom('garbage', '\u0000xx', ")]}'\n") })),
    heartbeat: of('heartbeat', fc.record({ frames, text: fc.constantFrom('ping' as const, 'pong' as const, 'heartbeat' as const) })),
    truncate: of('truncate', fc.record({ frames, keepRatio: fc.integer({ min: 1, max: 9 }).map((n) => n / 10) })),
    non_json: of('non_json', fc.record({ frames, text: fc.constantFrom('<html>502 Bad Gateway</html>', 'undefined', '') })),
    duplicate: of('duplicate', fc.record({ frames })),
    drop: of('drop', fc.record({ frames })),
    reorder: of('reorder', fc.record({ frames })),
    unknown_type: of('unknown_type', fc.record({ frames, messageType: fc.constantFrom('crystools.monitor', 'kj.progress', 'x') })),
    extra_fields: of('extra_fields', fc.record({ frames })),
    binary_preview: of('binary_preview', fc.record({ frames })),
    oversized: of('oversized', fc.record({ frames, bytes: fc.constantFrom(1_024, 65_536, 262_144) })),
    // connection
    terminate: of('terminate', none),
    close: of('close', fc.record({ code: fc.constantFrom(1000, 1001, 1011, 1012, 1013, 4000, 4409), reason: fc.constantFrom('', 'going away') })),
    refuse_upgrades: of('refuse_upgrades', fc.record({ durationMs: ms(100), status: fc.constantFrom(503, 502, 500) })),
    silence: of('silence', fc.record({ durationMs: fc.oneof({ weight: 4, arbitrary: ms(100) }, { weight: 1, arbitrary: fc.constant(0) }) })),
    // A restart that loses state right after `execution_success` was sent, before the simulator
    // records the success, leaves a job the client rightly saw succeed but the ground truth
    // calls lost; such a restart fires just before `execution_success` instead.
    restart: of('restart', fc.record({ downMs: ms(0), loseState: loseState ? fc.boolean() : fc.constant(false) })).map((f) =>
      f.type === 'restart' && f.loseState && f.at.on === 'message' && f.at.type === 'execution_success' && f.at.when === 'after' ? { ...f, at: { ...f.at, when: 'before' as const } } : f,
    ),
    deaf_reconnect: of('deaf_reconnect', none),
    stalled_peer: of('stalled_peer', fc.record({ durationMs: fc.oneof({ weight: 4, arbitrary: ms(100) }, { weight: 1, arbitrary: fc.constant(0) }) })),
    // HTTP: a `/prompt` answer fails at most twice in a row, within the client's submit retries.
    http_status: of('http_status', fc.record({ path, status: fc.constantFrom(500, 502, 503, 429), times: times(2) })),
    http_delay: of('http_delay', fc.record({ path, delayMs: fc.integer({ min: 1, max: Math.floor(Math.min(maxRequestDelayMs, maxMs) / 50) }).map((n) => n * 50), times: times(3) })),
    http_hang: of('http_hang', fc.record({ path: fc.constantFrom(...hangPaths), times: times(2) })),
    history_replica_lag: of('history_replica_lag', fc.record({ delayMs: fc.integer({ min: 1, max: Math.floor(Math.min(maxHistoryLateMs, maxMs) / 50) }).map((n) => n * 50) })),
    history_late: of('history_late', fc.record({ delayMs: fc.integer({ min: 1, max: Math.floor(Math.min(maxHistoryLateMs, maxMs) / 50) }).map((n) => n * 50) })),
    // network (Toxiproxy); never permanent, or no HTTP could ever reach the server again.
    toxic: fc
      .tuple(
        at,
        fc.oneof(
          fc.record({ toxic: fc.constant('latency' as const), attributes: fc.record({ latency: fc.integer({ min: 0, max: 400 }), jitter: fc.integer({ min: 0, max: 100 }) }) }),
          fc.record({ toxic: fc.constant('bandwidth' as const), attributes: fc.record({ rate: fc.integer({ min: 4, max: 200 }) }) }),
          fc.record({ toxic: fc.constant('slicer' as const), attributes: fc.record({ average_size: fc.integer({ min: 8, max: 64 }), size_variation: fc.integer({ min: 0, max: 8 }), delay: fc.integer({ min: 0, max: 200 }) }) }),
          fc.record({ toxic: fc.constant('reset_peer' as const), attributes: fc.record({ timeout: fc.integer({ min: 0, max: 500 }) }) }),
          fc.record({ toxic: fc.constant('timeout' as const), attributes: fc.record({ timeout: fc.constantFrom(0, 800) }) }),
          fc.record({ toxic: fc.constant('limit_data' as const), attributes: fc.record({ bytes: fc.integer({ min: 1_000, max: 100_000 }) }) }),
          fc.record({ toxic: fc.constant('slow_close' as const), attributes: fc.record({ delay: fc.integer({ min: 100, max: 1_000 }) }) }),
        ),
        fc.constantFrom('downstream' as const, 'upstream' as const),
        ms(200),
      )
      .map(([a, t, stream, durationMs]) => ({ type: 'toxic' as const, at: a, ...t, stream, toxicity: 1, durationMs })),
    partition: of('partition', fc.record({ durationMs: ms(100) })),
  };
  // Each layer weighs the same, whatever its number of types: twelve frame faults must not
  // drown the seven connection faults, which find most bugs.
  const layerOf = (t: FaultType) => faultLayers.find((l) => faultTypesByLayer[l].includes(t))!;
  const weighted = types.map((t) => ({ arbitrary: byType[t], weight: Math.max(1, Math.round(12 / Math.max(1, defaultTypesOf(layerOf(t)).length))) }));
  return weighted.length === 1 ? weighted[0]!.arbitrary : fc.oneof(...weighted);
}
