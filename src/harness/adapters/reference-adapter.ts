import type { Clock, FetchLike, WebSocketFactory } from '../../protocol/index.ts';
import { ReferenceClient, type ReferenceClientOptions } from '../../reference-client/index.ts';
import { readFileSync } from 'node:fs';
import { createNodeWebSocketFactory, trustingNodeTransport } from '../../reference-client/node.ts';
import type { ClientHints } from '../../scenarios/scenario.ts';
import type { ClientSession, ClientStartContext, ClientUnderTest } from './client-under-test.ts';

/** On the memory transport the runner hands in-process clients the simulator's fetch, sockets and clock. */
export interface InProcessTransport {
  fetch: FetchLike;
  webSocketFactory: WebSocketFactory;
  clock: Clock;
}

export interface ReferenceStartContext extends ClientStartContext {
  inProcess?: InProcessTransport;
}

/** Option overrides for the reference client, e.g. to plant a bug (mutants) or tune timings. */
export type ReferenceOverrides = Partial<Omit<ReferenceClientOptions, 'servers'>>;

function optionsFromHints(hints: ClientHints): ReferenceOverrides {
  const out: ReferenceOverrides = {};
  if (hints.healthTimeoutMs !== undefined) out.healthTimeoutMs = hints.healthTimeoutMs;
  if (hints.pollIntervalMs !== undefined) out.pollIntervalMs = hints.pollIntervalMs;
  if (hints.reconnectCapMs !== undefined) out.reconnectCapMs = hints.reconnectCapMs;
  if (hints.jobTimeoutMs !== undefined) out.jobTimeoutMs = hints.jobTimeoutMs;
  if (hints.lockReleaseDelayMs !== undefined) out.lockReleaseDelayMs = hints.lockReleaseDelayMs;
  if (hints.requestTimeoutMs !== undefined) out.requestTimeoutMs = hints.requestTimeoutMs;
  return out;
}

/**
 * The reference client as a client under test, in-process: on the memory transport it runs in
 * virtual time on the simulator's clock; on the network transport it uses real sockets. Its
 * events become driver events, so the oracle judges it exactly like a driver process.
 */
export function referenceClient(name = 'reference', overrides: ReferenceOverrides = {}): ClientUnderTest {
  return {
    name,
    transports: ['memory', 'network'],
    // As its driver declares (src/reference-client/driver.ts): any pool, any number of windows, cancel.
    capabilities: { servers: 64, windows: 1024, cancel: true, base_path: true },
    async start(context: ReferenceStartContext): Promise<ClientSession> {
      const { events } = context;
      const client = new ReferenceClient({
        servers: context.comfyUrl.split(',').map((s) => s.trim()),
        seed: context.seed,
        // Servers behind TLS with the run's test CA (gateway-tls): trusted as a driver trusts COMFY_CA_FILE.
        ...(context.inProcess ?? (context.caFile ? trustingNodeTransport(readFileSync(context.caFile)) : { webSocketFactory: createNodeWebSocketFactory() })),
        ...optionsFromHints(context.hints),
        ...overrides,
      });
      const jobOf = new Map<string, string>();
      const promptOf = new Map<string, { window: string; promptId: string }>();
      const watched = new Set<string>();
      const watch = (window: string) => {
        if (watched.has(window)) return;
        watched.add(window);
        const session = client.window(window);
        const job = (promptId: string) => jobOf.get(promptId) ?? `unknown:${promptId}`;
        session.on('submitted', (e) => {
          // A server that names prompts itself gives another id than the one submitted: follow it.
          const id = jobOf.get(e.submitId);
          if (id !== undefined && e.promptId !== e.submitId) jobOf.set(e.promptId, id);
          events.onEvent({ type: 'submitted', id: job(e.promptId), prompt_id: e.promptId, window, ...{ server: e.server } });
        });
        session.on('progress', (e) => events.onEvent({ type: 'progress', id: job(e.promptId), value: e.value, max: e.max, node: e.node, window }));
        session.on('completed', (e) =>
          events.onEvent({ type: 'completed', id: job(e.promptId), prompt_id: e.promptId, outputs: e.outputs, window, ...{ server: e.server, confirmedBy: e.confirmedBy } }),
        );
        session.on('failed', (e) => events.onEvent({ type: 'failed', id: job(e.promptId), prompt_id: e.promptId, reason: e.reason, error: e.error, window }));
        session.on('interrupted', (e) =>
          events.onEvent({ type: 'failed', id: job(e.promptId), prompt_id: e.promptId, reason: 'interrupted', error: e.cancelled ? 'cancelled' : 'interrupted', window }),
        );
        session.on('lost', (e) => events.onEvent({ type: 'failed', id: job(e.promptId), prompt_id: e.promptId, reason: 'lost', error: e.error, window }));
      };
      return {
        submit({ id, prompt, window }) {
          watch(window);
          const submitted = client.window(window).submit(prompt);
          jobOf.set(submitted.promptId, id);
          promptOf.set(id, { window, promptId: submitted.promptId });
        },
        cancel(id) {
          const known = promptOf.get(id);
          if (known) void client.window(known.window).cancel(known.promptId);
        },
        async shutdown() {
          client.close();
          return { code: 0, signal: null, stderrTail: [] };
        },
      };
    },
  };
}
