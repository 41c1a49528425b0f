/**
 * The client side of `simulator-fanout.ts`, run as a child process so that 1,000 `ws` clients
 * parsing frames do not compete with the server under test for its event loop.
 *
 * Speaks over the fork IPC channel:
 *   parent -> { cmd: 'connect', url, count, concurrency, timeoutMs }   child -> { event: 'connected', open, failed, ms }
 *   parent -> { cmd: 'expect', frames, timeoutMs }                      child -> { event: 'armed' }
 *                                                                       child -> { event: 'received', frames, bytes, complete }
 *   parent -> { cmd: 'close' }                                          child -> { event: 'closed' } and exits
 * A socket counts as connected once it is open and has received its greeting frame.
 */
import WebSocket from 'ws';

type Command =
  | { cmd: 'connect'; url: string; count: number; concurrency: number; timeoutMs: number }
  | { cmd: 'expect'; frames: number; timeoutMs: number }
  | { cmd: 'close' };

const sockets: WebSocket[] = [];
let counting = false;
let received = 0;
let receivedBytes = 0;
let expected = 0;
let expectTimer: NodeJS.Timeout | undefined;

function reply(message: Record<string, unknown>): void {
  process.send?.(message);
}

function finishExpect(complete: boolean): void {
  if (!counting) return;
  counting = false;
  clearTimeout(expectTimer);
  reply({ event: 'received', frames: received, bytes: receivedBytes, complete });
}

function openOne(url: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    let greeted = false;
    const timer = setTimeout(() => {
      ws.terminate();
      resolve(false);
    }, timeoutMs);
    ws.on('message', (data: Buffer) => {
      if (!greeted) {
        greeted = true;
        clearTimeout(timer);
        sockets.push(ws);
        resolve(true);
        return;
      }
      if (!counting) return;
      received++;
      receivedBytes += data.length;
      if (received >= expected) finishExpect(true);
    });
    ws.on('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}

async function connect(url: string, count: number, concurrency: number, timeoutMs: number): Promise<void> {
  const started = performance.now();
  let next = 0;
  let open = 0;
  let failed = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      if (await openOne(url, timeoutMs)) open++;
      else failed++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  reply({ event: 'connected', open, failed, ms: performance.now() - started });
}

process.on('message', (command: Command) => {
  switch (command.cmd) {
    case 'connect':
      void connect(command.url, command.count, command.concurrency, command.timeoutMs);
      return;
    case 'expect':
      received = 0;
      receivedBytes = 0;
      expected = command.frames;
      counting = true;
      expectTimer = setTimeout(() => finishExpect(false), command.timeoutMs);
      reply({ event: 'armed' });
      return;
    case 'close': {
      for (const ws of sockets) ws.terminate();
      sockets.length = 0;
      reply({ event: 'closed' });
      process.disconnect?.();
      setTimeout(() => process.exit(0), 100).unref();
      return;
    }
  }
});

// Bounded life: if the parent dies or forgets us, go away.
process.on('disconnect', () => process.exit(0));
setTimeout(() => process.exit(2), 10 * 60_000).unref();
