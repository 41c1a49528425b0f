/**
 * DriverProcess against tiny inline fake drivers (`node -e`): whatever a driver does (crash, junk,
 * silence, ignoring shutdown), the harness hears about it and never hangs. Assertions are on
 * reasons, never on timings.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ClientProblem } from '../../../src/harness/adapters/client-under-test.ts';
import { driverClient } from '../../../src/harness/adapters/client-under-test.ts';
import { DriverProcess, DriverProcessError, splitCommandLine, type DriverProcessOptions } from '../../../src/harness/adapters/driver-process.ts';
import type { DriverEvent } from '../../../src/protocol/index.ts';
import { sleepGraph } from '../../../src/scenarios/graphs.ts';

/** A fake driver: `code` runs in `node -e`; `ready()` prints the handshake, `say(x)` prints a line. */
function fake(code: string, options: Partial<DriverProcessOptions> = {}) {
  const prelude = "const say = (x) => process.stdout.write((typeof x === 'string' ? x : JSON.stringify(x)) + '\\n'); const ready = () => say({ type: 'ready' });";
  const driver = new DriverProcess({ command: { command: process.execPath, args: ['-e', `${prelude}\n${code}`] }, comfyUrl: 'http://127.0.0.1:9', ...options });
  const events: DriverEvent[] = [];
  const problems: ClientProblem[] = [];
  driver.onEvent((e) => events.push(e));
  driver.onProblem((p) => problems.push(p));
  started.push(driver);
  return { driver, events, problems };
}

const started: DriverProcess[] = [];
afterEach(() => {
  for (const driver of started.splice(0)) driver.dispose();
});

async function until(done: () => boolean, maxMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + maxMs;
  while (!done()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const stayAlive = 'process.stdin.resume();';

describe('DriverProcess', () => {
  it('rejects start with the exit code and stderr when the driver exits at once, and reports a crash', async () => {
    const { driver, problems } = fake("console.error('boom: no config file'); process.exit(3);");
    const error = await driver.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DriverProcessError);
    expect(error).toMatchObject({ code: 'CC_ERR_DRIVER_EXITED' });
    expect((error as Error).message).toMatch(/exited with code 3 before it printed \{"type":"ready"\}/);
    expect((error as Error).message).toContain('boom: no config file');
    expect(problems).toEqual([expect.objectContaining({ kind: 'crash', detail: { code: 3, signal: null, stderrTail: ['boom: no config file'] } })]);
    expect(driver.submit('job-1', sleepGraph(10))).toBe(false);
    await expect(driver.shutdown()).resolves.toEqual({ code: 3, signal: null, stderrTail: ['boom: no config file'] });
  });

  it('reports a crash after ready with the stderr tail, and shutdown still resolves', async () => {
    const { driver, problems } = fake(`ready(); process.stdin.on('data', () => { console.error('line one'); throw new Error('driver bug'); });`);
    await driver.start();
    expect(driver.submit('job-1', sleepGraph(10))).toBe(true);
    expect(await until(() => problems.length > 0)).toBe(true);
    expect(problems[0]).toMatchObject({ kind: 'crash', message: expect.stringContaining('exited with code 1 before it was asked to shut down') });
    expect(problems[0]!.message).toContain('Error: driver bug');
    const exit = await driver.shutdown();
    expect(exit).toMatchObject({ code: 1, signal: null });
    expect(exit.stderrTail).toContain('line one');
    expect(exit.stderrTail.length).toBeLessThanOrEqual(20);
  });

  it('reports an exit with code 0 before shutdown as an exit, not a crash', async () => {
    const { driver, problems } = fake('ready(); setTimeout(() => process.exit(0), 50);');
    await driver.start();
    expect(await until(() => driver.hasExited)).toBe(true);
    expect(problems).toEqual([expect.objectContaining({ kind: 'exit', message: expect.stringContaining('exited with code 0 before it was asked to shut down') })]);
  });

  it('reports junk lines with the reason and keeps parsing the events around them', async () => {
    const { driver, events, problems } = fake(`
      ready();
      say('hello from a debug print');
      say({ type: 'bogus', id: 'x' });
      say({ type: 'completed', id: 'job-1' });
      say({ type: 'log', message: 'still here' });
      say({ type: 'completed', id: 'job-1', prompt_id: 'p1', outputs: {} });
      ${stayAlive}`);
    await driver.start();
    expect(await until(() => events.length >= 3)).toBe(true);
    expect(events).toEqual([
      { type: 'ready' },
      { type: 'log', message: 'still here' },
      { type: 'completed', id: 'job-1', prompt_id: 'p1', outputs: {} },
    ]);
    expect(problems.map((p) => p.kind)).toEqual(['junk', 'junk', 'junk']);
    expect(problems[0]!.detail).toMatchObject({ line: 'hello from a debug print', reason: expect.stringMatching(/^not JSON/) });
    expect(problems[1]!.detail).toMatchObject({ reason: expect.stringMatching(/^not a driver event/) });
    expect(problems[2]!.detail).toMatchObject({ reason: expect.stringMatching(/not a driver event.*prompt_id/) });
    await expect(driver.shutdown()).resolves.toMatchObject({ code: 0 });
  });

  it('skips a line longer than maxLineBytes as junk and reads the next one', async () => {
    const { driver, events, problems } = fake(`ready(); say('x'.repeat(5000)); say({ type: 'log', message: 'after' }); ${stayAlive}`, { maxLineBytes: 1000 });
    await driver.start();
    expect(await until(() => events.length >= 2)).toBe(true);
    expect(events[1]).toEqual({ type: 'log', message: 'after' });
    expect(problems).toEqual([expect.objectContaining({ kind: 'junk', detail: expect.objectContaining({ reason: 'line too long' }) })]);
    await driver.shutdown();
  });

  it('quotes the first 20 junk lines, then counts the rest, and says so once', async () => {
    const { driver, events, problems } = fake(`ready(); for (let i = 0; i < 5000; i++) say('junk ' + i); say({ type: 'log', message: 'after' }); ${stayAlive}`);
    await driver.start();
    expect(await until(() => events.some((e) => e.type === 'log'))).toBe(true);
    expect(problems.filter((p) => p.kind === 'junk')).toHaveLength(20);
    expect(problems.filter((p) => p.kind === 'flood').map((p) => p.message)).toEqual([expect.stringContaining('printed more than 20 lines that are not driver events')]);
    await driver.shutdown();
    expect(problems.at(-1)).toMatchObject({ kind: 'flood', message: expect.stringContaining('4980 junk lines past 20') });
  });

  it('gives up on a driver that never prints ready, naming the command, and kills it', async () => {
    const { driver, problems } = fake(`console.error('waiting for a GPU'); ${stayAlive}`, { readyTimeoutMs: 500 });
    const error = await driver.start().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CC_ERR_DRIVER_NOT_READY' });
    expect((error as Error).message).toMatch(/did not print \{"type":"ready"\} within 500 ms/);
    expect((error as Error).message).toContain(process.execPath);
    expect((error as Error).message).toContain('waiting for a GPU');
    expect(problems.map((p) => p.kind)).toEqual(['timeout']);
    expect(await until(() => !isAlive(driver.pid!))).toBe(true);
  });

  it('kills a driver that ignores shutdown and SIGTERM, and says so', async () => {
    const { driver, problems } = fake(`process.on('SIGTERM', () => console.error('ignoring SIGTERM')); ready(); setInterval(() => {}, 1000); ${stayAlive}`, {
      shutdownTimeoutMs: 300,
      killGraceMs: 300,
    });
    await driver.start();
    const exit = await driver.shutdown();
    expect(exit).toMatchObject({ code: null, signal: 'SIGKILL' });
    expect(exit.stderrTail).toContain('ignoring SIGTERM');
    expect(problems).toEqual([expect.objectContaining({ kind: 'shutdown', message: expect.stringContaining('stopped with SIGKILL') })]);
    expect(isAlive(driver.pid!)).toBe(false);
  });

  it('kills the whole process group, so a grandchild does not outlive its driver', async () => {
    const { driver, events } = fake(`
      const child = require('node:child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      say({ type: 'log', message: String(child.pid) });
      ready(); ${stayAlive}`, { shutdownTimeoutMs: 300, killGraceMs: 300 });
    await driver.start();
    const grandchild = Number((events.find((e) => e.type === 'log') as { message: string }).message);
    expect(isAlive(grandchild)).toBe(true);
    await driver.shutdown();
    expect(await until(() => !isAlive(grandchild))).toBe(true);
  });

  it('passes COMFY_URL, COMFY_CHAOS_SEED and COMFY_CHAOS_HINTS, and sends commands as JSON lines', async () => {
    const { driver, events } = fake(
      `say({ type: 'log', message: JSON.stringify([process.env.COMFY_URL, process.env.COMFY_CHAOS_SEED, JSON.parse(process.env.COMFY_CHAOS_HINTS)]) });
       ready();
       require('node:readline').createInterface({ input: process.stdin }).on('line', (line) => say({ type: 'log', message: line }));`,
      { comfyUrl: 'http://127.0.0.1:8188', seed: 42, hints: { pollIntervalMs: 250 } },
    );
    await driver.start();
    driver.submit('job-1', sleepGraph(10, 1), 'w1');
    driver.cancel('job-1');
    expect(await until(() => events.length >= 4)).toBe(true);
    const messages = events.flatMap((e) => (e.type === 'log' ? [JSON.parse(e.message)] : []));
    expect(messages[0]).toEqual(['http://127.0.0.1:8188', '42', { pollIntervalMs: 250 }]);
    expect(messages[1]).toEqual({ type: 'submit', id: 'job-1', prompt: sleepGraph(10, 1), window: 'w1' });
    expect(messages[2]).toEqual({ type: 'cancel', id: 'job-1' });
    await driver.shutdown();
  });

  it('reports a program that cannot be started', async () => {
    const driver = new DriverProcess({ command: 'comfy-chaos-no-such-driver --flag', comfyUrl: 'http://127.0.0.1:9' });
    started.push(driver);
    const error = await driver.start().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CC_ERR_DRIVER_SPAWN', message: expect.stringContaining('comfy-chaos-no-such-driver') });
    await expect(driver.shutdown()).resolves.toMatchObject({ code: null, signal: null });
  });

  it('runs a string command line with quotes, as in `node -e "..."`', async () => {
    const driver = new DriverProcess({ command: `node -e "process.stdout.write(JSON.stringify({type:'ready'})+'\\n'); process.stdin.resume()"`, comfyUrl: 'http://127.0.0.1:9' });
    started.push(driver);
    await driver.start();
    await expect(driver.shutdown()).resolves.toMatchObject({ code: 0, signal: null });
  });
});

describe('driverClient', () => {
  it('starts a session, tags events with the window of their job and drops the ready handshake', async () => {
    const code = `const say = (x) => process.stdout.write(JSON.stringify(x) + '\\n'); say({ type: 'ready' });
      require('node:readline').createInterface({ input: process.stdin }).on('line', (line) => {
        const c = JSON.parse(line);
        if (c.type === 'submit') say({ type: 'completed', id: c.id, prompt_id: 'p-' + c.id, outputs: {} });
        if (c.type === 'shutdown') process.exit(0);
      });`;
    const client = driverClient('fake', { command: process.execPath, args: ['-e', code] });
    expect(client.transports).toEqual(['network']);
    const events: unknown[] = [];
    const session = await client.start({ comfyUrl: 'http://127.0.0.1:9', seed: 1, hints: {}, events: { onEvent: (e) => events.push(e), onProblem: () => {} } });
    session.submit({ id: 'job-1', prompt: sleepGraph(10), window: 'left' });
    expect(await until(() => events.length > 0)).toBe(true);
    expect(events).toEqual([{ type: 'completed', id: 'job-1', prompt_id: 'p-job-1', outputs: {}, window: 'left' }]);
    await expect(session.shutdown()).resolves.toEqual({ code: 0, signal: null, stderrTail: [] });
  });
});

describe('splitCommandLine', () => {
  it('splits on whitespace and honours quotes and backslashes', () => {
    expect(splitCommandLine(`python  -u 'my driver.py' --name "a \\"b\\" c" x\\ y`)).toEqual(['python', '-u', 'my driver.py', '--name', 'a "b" c', 'x y']);
    expect(splitCommandLine(`node -e ""`)).toEqual(['node', '-e', '']);
  });

  it('refuses shell syntax and unterminated quotes with a message that says what to do', () => {
    expect(() => splitCommandLine('node driver.js | tee log')).toThrow(/shell syntax "\|".*command: 'sh'/);
    expect(() => splitCommandLine(`node -e "oops`)).toThrow(/unterminated "/);
    expect(() => new DriverProcess({ command: '   ', comfyUrl: 'http://127.0.0.1:9' })).toThrow(/command line is empty/);
  });
});
