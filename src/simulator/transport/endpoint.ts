import type { Clock } from '../../protocol/index.ts';
import type { SimRequest, SimResponse } from '../http/types.ts';
import type { ResolvedLimits } from '../limits.ts';
import type { UpgradeDecision, UpgradeRequest } from './server-socket.ts';

/** Thrown (memory) or shown as a refused TCP connection (network) while the simulated server is down. */
export class ServerDownError extends Error {
  readonly code = 'CC_ERR_SERVER_DOWN';
  override name = 'ServerDownError';
}

/**
 * What a transport needs from the simulator: answer HTTP, decide WebSocket upgrades, and say
 * whether the server is up. The engine stays free of sockets and ports.
 */
export interface SimulatorEndpoint {
  readonly clock: Clock;
  /** False while a `restart` fault holds the server down: connections are refused. */
  isUp(): boolean;
  handleHttp(request: SimRequest): Promise<SimResponse>;
  handleUpgrade(request: UpgradeRequest): UpgradeDecision;
  /** Strips the `/api` prefix: every ComfyUI route is registered twice. */
  normalisePath(path: string): string;
  /** What a client may make the simulator hold (body size, send buffer, ...). */
  readonly limits: ResolvedLimits;
  /**
   * An error of the simulator's own that a transport caught (a handler threw, a socket failed):
   * written to the trace as `internal_error`, so the run's verdict is `harness-error`, never the
   * client's. Never throws.
   */
  recordInternalError(where: string, error: unknown): void;
  /** A `note` in the trace, e.g. that a limit was hit. Never throws. */
  recordNote(message: string): void;
}
