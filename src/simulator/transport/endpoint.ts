import type { Clock } from '../../protocol/index.ts';
import type { SimRequest, SimResponse } from '../http/types.ts';
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
}
