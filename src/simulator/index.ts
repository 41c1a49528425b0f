export { Simulator, type SimulatorOptions } from './simulator.ts';
export { SimulatorCore } from './simulator-core.ts';
export type { MemoryTransport } from './transport/memory.ts';
export type { NetworkServer, ListenOptions } from './transport/network.ts';
export type { TimingOptions } from './engine/timing.ts';
export { route, type Route } from './http/comfy-routes.ts';
export { jsonResponse, textResponse, emptyResponse, type SimRequest, type SimResponse } from './http/types.ts';
export { traceToJsonLines } from './trace/trace-recorder.ts';
export { nodeCatalogue } from './nodes/catalogue.ts';
