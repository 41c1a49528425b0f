/**
 * A client under test running as its own process, spoken to with the driver protocol
 * (src/protocol/driver.ts): commands as JSON lines on its stdin, events as JSON lines on its
 * stdout, `COMFY_URL`, `COMFY_URLS`, `COMFY_CHAOS_SEED` and `COMFY_CHAOS_HINTS` in its environment.
 *
 * A driver is code we do not trust: it may crash, print junk, never answer or ignore `shutdown`.
 * So every wait here is bounded, junk is reported and skipped (never thrown), buffers are capped,
 * and the driver runs in its own process group, which is killed as a whole on dispose (and when
 * the harness exits), so a driver that forks (`sh -c`, `npx`, a Python venv shim) leaves nothing.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { driverEvent, type ApiPrompt, type DriverCapabilities, type DriverCommand, type DriverEvent } from '../../protocol/index.ts';
import type { ClientHints } from '../../scenarios/scenario.ts';
import type { ClientExit, ClientProblem } from './client-under-test.ts';
import { quoteForDisplay, resolveCommand, type DriverCommandLine } from './command-line.ts';
import { DriverProcessError } from './driver-process-error.ts';
import { EventBudget, type EventBudgetLimits } from './event-budget.ts';
import { StdoutLines } from './stdout-lines.ts';

export { splitCommandLine, type DriverCommandLine } from './command-line.ts';
export { DriverProcessError, type DriverProcessErrorCode } from './driver-process-error.ts';

export interface DriverProcessOptions {
  command: DriverCommandLine;
  /** `COMFY_URL`: the ComfyUI base URL, always one (the first server of a pool). */
  comfyUrl: string;
  /** `COMFY_URLS`: every server of the run, comma-separated [default `comfyUrl`]. */
  comfyUrls?: string[];
  /** `COMFY_CHAOS_SEED` [default: not set]. */
  seed?: number;
  /** `COMFY_CHAOS_HINTS`, as JSON [default `{}`]. */
  hints?: ClientHints;
  /** Extra environment, over the harness's own. */
  env?: Record<string, string>;
  cwd?: string;
  /**
   * How long to wait for `{"type":"ready"}`, in ms [default 30000]: generous, because on a loaded
   * machine (a hunt runs 8 at once on 2 cores) a Node or Python start alone took 2.5-5 s, and a
   * slow start is not a finding about the client (the run's bounds count from when it is up).
   */
  readyTimeoutMs?: number;
  /** How long a driver has to exit after `shutdown` before SIGTERM, in ms [default 5000]. */
  shutdownTimeoutMs?: number;
  /** How long after SIGTERM before SIGKILL, in ms [default 2000]. */
  killGraceMs?: number;
  /** Longest stdout line kept, in bytes; a longer line is reported as junk and skipped [default 4 MiB: outputs may carry images as base64]. */
  maxLineBytes?: number;
  /** How many events of each kind are recorded before the rest are only counted (src/harness/adapters/event-budget.ts). */
  eventBudget?: EventBudgetLimits;
  /** How many stderr lines are kept (the tail) [default 20]. */
  stderrLines?: number;
}

/** How long to wait for stdio to drain after the process exited (the stack trace of a crash comes last). */
const DRAIN_MS = 1_000;
/** Longest stderr line kept, in characters. */
const STDERR_LINE_CHARS = 2_000;
/** Longest piece of a junk line quoted in a problem, in characters. */
const JUNK_QUOTE_CHARS = 200;

const live = new Set<DriverProcess>();
let exitHookInstalled = false;
/** Detached groups do not get the terminal's Ctrl-C, so the harness must take them down itself. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const driver of live) driver.dispose();
  });
}

/**
 * One driver process.
 *
 * ```ts
 * const driver = new DriverProcess({ command: 'python my_driver.py', comfyUrl: url });
 * driver.onEvent((e) => trace.push(e));
 * driver.onProblem((p) => console.warn(p.kind, p.message));
 * await driver.start();                 // rejects with a DriverProcessError naming the command
 * driver.submit('job-1', prompt);
 * const exit = await driver.shutdown(); // { code, signal, stderrTail }
 * ```
 */
export class DriverProcess {
  readonly commandText: string;
  private readonly program: string;
  private readonly args: string[];
  private readonly options: Required<Pick<DriverProcessOptions, 'readyTimeoutMs' | 'shutdownTimeoutMs' | 'killGraceMs' | 'maxLineBytes' | 'stderrLines'>>;
  private child: ChildProcessWithoutNullStreams | null = null;
  private readonly eventListeners: Array<(e: DriverEvent) => void> = [];
  private readonly problemListeners: Array<(p: ClientProblem) => void> = [];
  private readonly stderrTail: string[] = [];
  private stderrPartial = '';
  private readonly stdoutLines: StdoutLines;
  private ready = false;
  private declared: DriverCapabilities | undefined;
  private readyWaiter: ((error?: DriverProcessError) => void) | null = null;
  private stopRequested = false;
  private exitInfo: { code: number | null; signal: string | null } | null = null;
  private readonly exited: Promise<void>;
  private resolveExited!: () => void;
  private shuttingDown: Promise<ClientExit> | null = null;
  private readonly budget: EventBudget;

  constructor(private readonly spec: DriverProcessOptions) {
    const { program, args } = resolveCommand(spec.command);
    this.program = program;
    this.args = args;
    this.commandText = typeof spec.command === 'string' ? spec.command : [program, ...args].map(quoteForDisplay).join(' ');
    this.options = {
      readyTimeoutMs: spec.readyTimeoutMs ?? 30_000,
      shutdownTimeoutMs: spec.shutdownTimeoutMs ?? 5_000,
      killGraceMs: spec.killGraceMs ?? 2_000,
      maxLineBytes: spec.maxLineBytes ?? 4 * 1024 * 1024,
      stderrLines: spec.stderrLines ?? 20,
    };
    for (const [key, value] of Object.entries(this.options)) {
      if (!Number.isFinite(value) || value <= 0) {
        throw new DriverProcessError('CC_ERR_DRIVER_COMMAND', `option ${key} must be a positive number of ms/bytes/lines, got ${String(value)}`);
      }
    }
    this.exited = new Promise((resolve) => (this.resolveExited = resolve));
    this.budget = new EventBudget(spec.eventBudget);
    this.stdoutLines = new StdoutLines(this.options.maxLineBytes, (line) => this.handleLine(line), (head) => this.tooLong(head), JUNK_QUOTE_CHARS);
  }

  /** Validated events from the driver's stdout, in order (`ready` included). */
  onEvent(listener: (e: DriverEvent) => void): () => void {
    this.eventListeners.push(listener);
    return () => remove(this.eventListeners, listener);
  }

  /** Junk lines, crashes, unexpected exits, timeouts, an ignored shutdown and floods. Never thrown. */
  onProblem(listener: (p: ClientProblem) => void): () => void {
    this.problemListeners.push(listener);
    return () => remove(this.problemListeners, listener);
  }

  /** The process id, once started. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** What the driver declared in its `ready` event (undefined before ready, or when it declared nothing). */
  get capabilities(): DriverCapabilities | undefined {
    return this.declared;
  }

  /** Whether the process has ended. */
  get hasExited(): boolean {
    return this.exitInfo !== null;
  }

  /** The last stderr lines so far. */
  stderr(): string[] {
    return this.stderrPartial ? [...this.stderrTail, this.stderrPartial].slice(-this.options.stderrLines) : [...this.stderrTail];
  }

  /**
   * Spawns the driver and waits for `{"type":"ready"}`. Rejects with a {@link DriverProcessError}
   * (`CC_ERR_DRIVER_SPAWN`, `CC_ERR_DRIVER_EXITED` or `CC_ERR_DRIVER_NOT_READY`), after killing what
   * it started, with the command and its last stderr lines in the message.
   */
  async start(): Promise<void> {
    if (this.child || this.exitInfo) throw new DriverProcessError('CC_ERR_DRIVER_STATE', `"${this.commandText}" was already started`);
    const env: Record<string, string | undefined> = {
      ...process.env,
      ...this.spec.env,
      COMFY_URL: this.spec.comfyUrl,
      COMFY_URLS: (this.spec.comfyUrls ?? [this.spec.comfyUrl]).join(','),
      COMFY_CHAOS_HINTS: JSON.stringify(this.spec.hints ?? {}),
    };
    if (this.spec.seed !== undefined) env.COMFY_CHAOS_SEED = String(this.spec.seed);
    else delete env.COMFY_CHAOS_SEED;

    const outcome = new Promise<DriverProcessError | undefined>((resolve) => (this.readyWaiter = resolve));
    const child = spawn(this.program, this.args, { cwd: this.spec.cwd, env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    this.child = child;
    live.add(this);
    installExitHook();
    child.on('error', (error: NodeJS.ErrnoException) => {
      // Only spawn failures come here in practice (kill errors are caught where we kill).
      if (this.exitInfo) return;
      const message = `could not start "${this.commandText}": ${error.message}`;
      this.emitProblem({ kind: 'crash', message, detail: { code: null, signal: null, stderrTail: this.stderr() } });
      this.settleReady(new DriverProcessError('CC_ERR_DRIVER_SPAWN', message));
      this.markExited(null, null);
    });
    child.on('exit', (code, signal) => void this.onExit(code, signal));
    child.stdout.on('data', (chunk: Buffer) => this.stdoutLines.push(chunk));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => this.readStderr(text));
    // A driver that died or closed stdin makes writes fail with EPIPE; that is its exit's story.
    child.stdin.on('error', () => {});

    const timer = setTimeout(() => {
      const message = `"${this.commandText}" did not print {"type":"ready"} within ${this.options.readyTimeoutMs} ms${tailText(this.stderr())}`;
      this.emitProblem({ kind: 'timeout', message });
      this.settleReady(new DriverProcessError('CC_ERR_DRIVER_NOT_READY', message));
    }, this.options.readyTimeoutMs);
    const error = await outcome;
    clearTimeout(timer);
    if (error) {
      this.dispose();
      throw error;
    }
  }

  /** Sends a `submit` command. Returns false if the driver is not running (the exit was reported). */
  submit(id: string, prompt: ApiPrompt, window?: string): boolean {
    return this.send(window === undefined ? { type: 'submit', id, prompt } : { type: 'submit', id, prompt, window });
  }

  /** Sends a `cancel` command. Returns false if the driver is not running. */
  cancel(id: string): boolean {
    return this.send({ type: 'cancel', id });
  }

  /**
   * Sends `shutdown`, closes stdin and waits up to `shutdownTimeoutMs` for the driver to exit;
   * then SIGTERM to its process group, `killGraceMs` later SIGKILL. A driver that needed a signal
   * is reported as a `shutdown` problem, and events dropped by the budget as one `flood` summary.
   * Never rejects; calling it again returns the same promise.
   */
  shutdown(): Promise<ClientExit> {
    this.shuttingDown ??= this.stop();
    return this.shuttingDown;
  }

  /** Kills the whole process group at once (SIGKILL), without asking. Safe to call any time. */
  dispose(): void {
    this.stopRequested = true;
    live.delete(this);
    const pid = this.child?.pid;
    if (pid === undefined) return;
    signalGroup(pid, 'SIGKILL');
    this.child?.stdin.destroy();
  }

  private async stop(): Promise<ClientExit> {
    this.stopRequested = true;
    if (this.child && !this.exitInfo) {
      this.send({ type: 'shutdown' });
      this.child.stdin.end();
      if (!(await this.waitExit(this.options.shutdownTimeoutMs))) {
        const pid = this.child.pid!;
        signalGroup(pid, 'SIGTERM');
        let how = 'SIGTERM';
        if (!(await this.waitExit(this.options.killGraceMs))) {
          signalGroup(pid, 'SIGKILL');
          how = 'SIGKILL';
          await this.waitExit(this.options.killGraceMs);
        }
        this.emitProblem({
          kind: 'shutdown',
          message: `"${this.commandText}" did not exit within ${this.options.shutdownTimeoutMs} ms of {"type":"shutdown"} and the end of its stdin; stopped with ${how}`,
          detail: { waitedMs: this.options.shutdownTimeoutMs, signal: how },
        });
      }
    }
    const dropped = this.budget.summary();
    if (dropped) {
      this.emitProblem({ kind: 'flood', message: `"${this.commandText}" sent more than the harness records: ${dropped} were counted, not recorded`, detail: this.budget.droppedCounts() });
    }
    // Leftovers of the group (children of a shell wrapper) go too.
    this.dispose();
    // Not exited even after SIGKILL (uninterruptible sleep): SIGKILL is what we did to it.
    const signal = this.exitInfo ? this.exitInfo.signal : this.child ? 'SIGKILL' : null;
    return { code: this.exitInfo?.code ?? null, signal, stderrTail: this.stderr() };
  }

  private waitExit(ms: number): Promise<boolean> {
    if (this.exitInfo) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      void this.exited.then(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  private send(command: DriverCommand): boolean {
    const child = this.child;
    if (!child || this.exitInfo || !child.stdin.writable) return false;
    child.stdin.write(JSON.stringify(command) + '\n');
    return true;
  }

  private async onExit(code: number | null, signal: string | null): Promise<void> {
    const stopRequested = this.stopRequested;
    // 'exit' can come before the last stdout and stderr bytes are read: the crash's stack trace
    // is usually the very last thing written. Drain, but not for ever (a grandchild may hold the pipes).
    const child = this.child!;
    if (this.exitInfo) return;
    if (!child.stdout.readableEnded || !child.stderr.readableEnded) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, DRAIN_MS);
        child.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    this.stdoutLines.end();
    if (this.stderrPartial) this.pushStderr(this.stderrPartial);
    this.stderrPartial = '';
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    const detail = { code, signal, stderrTail: this.stderr() };
    if (!stopRequested) {
      const kind = code === 0 && !signal ? 'exit' : 'crash';
      const when = this.ready ? 'before it was asked to shut down' : 'before it printed {"type":"ready"}';
      this.emitProblem({ kind, message: `"${this.commandText}" ${how} ${when}${tailText(detail.stderrTail)}`, detail });
      this.settleReady(new DriverProcessError('CC_ERR_DRIVER_EXITED', `"${this.commandText}" ${how} before it printed {"type":"ready"}${tailText(detail.stderrTail)}`));
    }
    this.markExited(code, signal);
  }

  private markExited(code: number | null, signal: string | null): void {
    if (this.exitInfo) return;
    this.exitInfo = { code, signal };
    live.delete(this);
    this.resolveExited();
  }

  private settleReady(error?: DriverProcessError): void {
    const waiter = this.readyWaiter;
    this.readyWaiter = null;
    waiter?.(error);
  }

  private tooLong(head: string): void {
    if (!this.admitJunk()) return;
    this.emitProblem({ kind: 'junk', message: `a stdout line longer than ${this.options.maxLineBytes} bytes was skipped`, detail: { line: head, reason: 'line too long' } });
  }

  private handleLine(line: string): void {
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (error) {
      this.junk(line, `not JSON (${error instanceof Error ? error.message : String(error)})`);
      return;
    }
    const parsed = driverEvent.safeParse(json);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      this.junk(line, `not a driver event (${issues})`);
      return;
    }
    const event = parsed.data;
    const admission = this.budget.admit(event, Buffer.byteLength(line));
    if (!admission.admit) {
      if (admission.firstDrop) {
        this.emitProblem({ kind: 'flood', message: `"${this.commandText}" sent ${admission.firstDrop}: later ones are counted, not recorded`, detail: { bound: admission.firstDrop } });
      }
      return;
    }
    if (event.type === 'ready') {
      this.ready = true;
      this.declared = event.capabilities;
      this.settleReady();
    }
    for (const listener of [...this.eventListeners]) listener(event);
  }

  /** Whether to report one more junk line (the budget quotes the first ones, then counts). */
  private admitJunk(): boolean {
    const admission = this.budget.admitJunk();
    if (admission.admit) return true;
    if (admission.firstDrop) this.emitProblem({ kind: 'flood', message: `"${this.commandText}" printed ${admission.firstDrop}: later ones are counted, not quoted`, detail: { bound: admission.firstDrop } });
    return false;
  }

  private junk(line: string, reason: string): void {
    if (!this.admitJunk()) return;
    const quoted = line.length > JUNK_QUOTE_CHARS ? `${line.slice(0, JUNK_QUOTE_CHARS)}...` : line;
    this.emitProblem({ kind: 'junk', message: `"${this.commandText}" printed a line that was skipped: ${reason}: ${quoted}`, detail: { line: quoted, reason } });
  }

  private readStderr(text: string): void {
    const parts = (this.stderrPartial + text).split('\n');
    this.stderrPartial = parts.pop()!.slice(-STDERR_LINE_CHARS);
    for (const part of parts) this.pushStderr(part);
  }

  private pushStderr(line: string): void {
    this.stderrTail.push(line.replace(/\r$/, '').slice(0, STDERR_LINE_CHARS));
    if (this.stderrTail.length > this.options.stderrLines) this.stderrTail.splice(0, this.stderrTail.length - this.options.stderrLines);
  }

  private emitProblem(problem: ClientProblem): void {
    for (const listener of [...this.problemListeners]) {
      try {
        listener(problem);
      } catch {
        // A listener's bug must not turn a reported problem into an unreported crash of the harness.
      }
    }
  }
}

function remove<T>(list: T[], item: T): void {
  const i = list.indexOf(item);
  if (i >= 0) list.splice(i, 1);
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

function tailText(lines: string[]): string {
  const shown = lines.filter((l) => l.trim());
  return shown.length ? `; last stderr lines:\n  ${shown.join('\n  ')}` : '; it wrote nothing to stderr';
}
