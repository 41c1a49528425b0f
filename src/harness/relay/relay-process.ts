import { spawn, type ChildProcess } from 'node:child_process';
import { splitCommandLine } from '../adapters/command-line.ts';
import type { ClientExit } from '../adapters/client-under-test.ts';

export interface RelayProcessOptions {
  /** The command line (split like a simple shell would) or the words themselves. */
  command: string | string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  port: number;
  readyPath: string;
  startTimeoutMs: number;
  stopTimeoutMs: number;
  /** Called once if the relay ends before it was asked to. */
  onUnexpectedExit?(exit: ClientExit): void;
}

const TAIL_LINES = 20;

/**
 * A relay under test as a process: started with its environment, ready when `GET readyPath` on its
 * port answers 2xx, stopped with SIGTERM then SIGKILL. Keeps the last lines it wrote (stdout and
 * stderr together), for messages.
 */
export class RelayProcess {
  private child: ChildProcess | undefined;
  private readonly tail: string[] = [];
  private exit: ClientExit | undefined;
  private exited: Promise<ClientExit> | undefined;
  private stopping = false;

  constructor(private readonly options: RelayProcessOptions) {}

  get commandText(): string {
    return Array.isArray(this.options.command) ? this.options.command.join(' ') : this.options.command;
  }

  lastLines(): string[] {
    return [...this.tail];
  }

  private keep(chunk: Buffer): void {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      this.tail.push(line.slice(0, 400));
      if (this.tail.length > TAIL_LINES) this.tail.shift();
    }
  }

  /** Starts the relay and waits until it is ready; rejects with the reason and its last lines. */
  async start(): Promise<void> {
    const words = Array.isArray(this.options.command) ? this.options.command : splitCommandLine(this.options.command);
    const [program, ...args] = words;
    if (!program) throw new Error('the relay command is empty');
    const child = (this.child = spawn(program, args, { cwd: this.options.cwd, env: this.options.env, stdio: ['ignore', 'pipe', 'pipe'] }));
    child.stdout!.on('data', (c: Buffer) => this.keep(c));
    child.stderr!.on('data', (c: Buffer) => this.keep(c));
    this.exited = new Promise<ClientExit>((resolve) => {
      child.on('error', (error) => {
        this.tail.push(`cannot start "${this.commandText}": ${error.message}`);
        this.exit = { code: null, signal: null, stderrTail: this.lastLines() };
        resolve(this.exit);
      });
      child.on('exit', (code, signal) => {
        this.exit = { code, signal, stderrTail: this.lastLines() };
        if (!this.stopping) this.options.onUnexpectedExit?.(this.exit);
        resolve(this.exit);
      });
    });
    const url = `http://127.0.0.1:${this.options.port}${this.options.readyPath}`;
    const deadline = Date.now() + this.options.startTimeoutMs;
    let last = 'no answer yet';
    while (Date.now() < deadline) {
      if (this.exit) throw new Error(`relay "${this.commandText}" exited (${this.describeExit()}) before ${url} answered${this.tailText()}`);
      try {
        const answer = await fetch(url, { signal: AbortSignal.timeout(2_000) });
        if (answer.ok) return;
        last = `HTTP ${answer.status}`;
      } catch (error) {
        last = (error as Error).message;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await this.stop();
    throw new Error(`relay "${this.commandText}" was not ready within ${this.options.startTimeoutMs}ms: GET ${url} gave ${last}${this.tailText()}`);
  }

  private describeExit(): string {
    return this.exit?.signal ? `signal ${this.exit.signal}` : `code ${String(this.exit?.code)}`;
  }

  private tailText(): string {
    const lines = this.lastLines().slice(-5);
    return lines.length ? `; its last lines: ${lines.join(' | ')}` : '';
  }

  /** SIGTERM, then SIGKILL after `stopTimeoutMs`; resolves with how it ended. */
  async stop(): Promise<ClientExit> {
    this.stopping = true;
    const child = this.child;
    if (!child || !this.exited) return { code: null, signal: null, stderrTail: this.lastLines() };
    if (this.exit) return this.exit;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), this.options.stopTimeoutMs);
    const exit = await this.exited;
    clearTimeout(killer);
    // Asked to stop, it stopped (by our SIGTERM, or our SIGKILL when it took too long): not a crash.
    return { ...exit, code: 0, signal: null };
  }
}
