import { Simulator, type ListenOptions, type SimulatorOptions } from '../simulator/index.ts';

export interface StartedSimulator {
  /** `http://127.0.0.1:<port>`: the ComfyUI base URL to give the client. */
  url: string;
  /** `ws://127.0.0.1:<port>/ws`. */
  wsUrl: string;
  simulator: Simulator;
  /** Stops the server and drops every socket. */
  close(): Promise<void>;
}

/**
 * Starts a simulated ComfyUI on 127.0.0.1 (an ephemeral port unless `port` says otherwise), with
 * the simulator's options: `faults`, `seed`, `routes`, `previews`, `traceFile`, ...
 */
export async function startSimulator(options: SimulatorOptions & ListenOptions = {}): Promise<StartedSimulator> {
  const { host, port, maxBodyBytes, ...simulatorOptions } = options;
  const simulator = new Simulator(simulatorOptions);
  const server = await simulator.listen({ host: host ?? '127.0.0.1', port: port ?? 0, maxBodyBytes });
  return { url: server.url, wsUrl: `${server.url.replace(/^http/, 'ws')}/ws`, simulator, close: () => simulator.close() };
}
