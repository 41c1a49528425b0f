import { once } from 'node:events';
import { createConnection, createServer, type Socket } from 'node:net';
import { splitHostPort } from '../../../src/harness/toxiproxy/index.ts';

export interface EchoServer {
  /** `127.0.0.1:port` */
  address: string;
  close(): Promise<void>;
}

/**
 * A TCP echo server on 127.0.0.1:0. A chunk containing `BYE` is echoed and then the
 * server ends the connection (used to watch how a close travels through a proxy).
 */
export async function startEchoServer(): Promise<EchoServer> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      socket.write(chunk);
      if (chunk.includes('BYE')) socket.end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    address: `127.0.0.1:${port}`,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

/** Opens a connection, or rejects with the socket error (e.g. code ECONNREFUSED). */
export async function connect(address: string): Promise<Socket> {
  const { host, port } = splitHostPort(address);
  const socket = createConnection({ host, port });
  await once(socket, 'connect');
  return socket;
}

/** The error code a fresh connection to `address` ends with, or 'connected'. */
export async function connectOutcome(address: string): Promise<string> {
  try {
    const socket = await connect(address);
    socket.destroy();
    return 'connected';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? String(error);
  }
}

export interface Exchange {
  reply: string;
  /** ms from write to the last byte of the reply */
  elapsedMs: number;
  /** how many `data` events the reply came in */
  chunks: number;
  /** how the connection ended while waiting, if it did: 'end', 'close' or an error code */
  ended?: string;
}

/**
 * Writes `payload` on `socket` and collects the reply until it is as long as the payload,
 * the connection ends, or `timeoutMs` passes (bounded: never waits longer).
 */
export function exchange(socket: Socket, payload: string, timeoutMs = 5_000): Promise<Exchange> {
  return new Promise((resolve) => {
    const started = performance.now();
    let reply = '';
    let chunks = 0;
    const finish = (ended?: string) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onClose);
      socket.off('error', onError);
      resolve({ reply, elapsedMs: performance.now() - started, chunks, ended });
    };
    const onData = (chunk: Buffer) => {
      reply += chunk.toString();
      chunks++;
      if (reply.length >= payload.length) finish();
    };
    const onEnd = () => finish('end');
    const onClose = () => finish('close');
    const onError = (error: NodeJS.ErrnoException) => finish(error.code ?? error.message);
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('close', onClose);
    socket.once('error', onError);
    socket.write(payload);
  });
}

/** One connection, one payload, one reply; the connection is closed afterwards. */
export async function roundTrip(address: string, payload: string, timeoutMs = 5_000): Promise<Exchange> {
  const socket = await connect(address);
  try {
    return await exchange(socket, payload, timeoutMs);
  } finally {
    socket.destroy();
  }
}

/** Resolves with how the socket ended ('end', 'close' or an error code), or 'timeout'. */
export function waitForEnd(socket: Socket, timeoutMs = 5_000): Promise<string> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), timeoutMs);
    const done = (how: string) => {
      clearTimeout(timer);
      resolve(how);
    };
    socket.once('end', () => done('end'));
    socket.once('close', () => done('close'));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
  });
}
