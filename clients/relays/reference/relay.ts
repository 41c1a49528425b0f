/**
 * The reference relay: the relay that does everything right, built on the reference client.
 * Run from the repository root:
 *
 *   COMFY_URL=http://127.0.0.1:8188 PORT=8080 node --import tsx clients/relays/reference/relay.ts
 *
 * (or `node clients/relays/reference/relay.mjs`, which registers tsx itself).
 * Environment and protocol: docs/relays.md and this folder's README.md.
 */
import { createServer } from 'node:http';
import { ReferenceClient } from '../../../src/reference-client/index.ts';
import { nodeWebSocketFactory } from '../../../src/reference-client/node.ts';
import { ConfigError, readConfig, type RelayConfig } from './config.ts';
import { createHttpHandler } from './http-api.ts';
import { JobsRelay } from './jobs-relay.ts';
import type { Downstream } from './messages.ts';
import { Refunds } from './refunds.ts';
import { SocketIoDownstream } from './socketio-downstream.ts';
import { StompDownstream } from './stomp-downstream.ts';

const log = (line: string) => process.stderr.write(`[reference-relay] ${line}\n`);

/** Starts the relay; resolves with a function that stops it. */
export async function startRelay(config: RelayConfig): Promise<{ port: number; stop: () => Promise<void> }> {
  const startedAt = Date.now();
  const client = new ReferenceClient({ servers: config.comfyUrl, webSocketFactory: nodeWebSocketFactory, ...config.clientTimings });
  // One window, one upstream clientId and socket for every user: jobs are told apart by prompt id.
  const session = client.window('relay');
  const refunds = new Refunds({ url: config.refundUrl, log });
  if (!config.refundUrl) log('REFUND_URL is not set: failed jobs are not refunded anywhere');

  const server = createServer();
  let relay: JobsRelay | undefined;
  const socketIo = new SocketIoDownstream({ httpServer: server, activeTasks: (clientId) => relay?.activeTasks(clientId) ?? [], log });
  const downstreams: Downstream[] = [socketIo];
  let stomp: StompDownstream | undefined;
  if (config.stomp) {
    stomp = new StompDownstream({ ...config.stomp, log });
    downstreams.push(stomp);
    stomp.start();
  } else {
    log('STOMP_BROKER_URL is not set: the STOMP downstream is off (Socket.IO only)');
  }
  const jobs = new JobsRelay({ session, comfyUrl: config.comfyUrl, refunds, downstreams, log });
  relay = jobs;

  server.on('request', createHttpHandler({
    submit: (userId, clientId, prompt) => jobs.submit(userId, clientId, prompt),
    notReadyReason: () => (stomp && !stomp.everConnected ? 'waiting for the first STOMP broker connection' : undefined),
    details: () => {
      const status = session.status();
      return {
        upstream: { url: config.comfyUrl, connection: status.connection, healthy: status.healthy, pendingJobs: status.pendingJobs.length },
        stomp: stomp ? (stomp.connected ? 'connected' : 'disconnected') : 'off',
      };
    },
    log,
  }));
  // Opening the upstream socket now saves the first job the wait (and /health shows its state).
  session.connect();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  log(`listening on http://127.0.0.1:${port} (upstream ${config.comfyUrl}) after ${Date.now() - startedAt} ms`);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      // Unsubscribe first: closing the reference client fails its pending jobs locally, and those
      // are still running on ComfyUI; they must not be reported or refunded.
      jobs.close();
      client.close();
      server.closeAllConnections();
      await Promise.allSettled([socketIo.close(), stomp?.close(), refunds.close(1500)]);
    })());
  return { port, stop };
}

async function main(): Promise<void> {
  let config: RelayConfig;
  try {
    config = readConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    log(error.message.replace(/\n/g, '\n[reference-relay] '));
    process.exit(2);
  }
  let stop: () => Promise<void>;
  try {
    ({ stop } = await startRelay(config));
  } catch (error) {
    log(`could not start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
  const shutdown = (signal: string) => {
    log(`${signal}: shutting down`);
    // However a downstream behaves, the process is gone within a few seconds.
    setTimeout(() => process.exit(0), 4000).unref();
    void stop().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

await main();
