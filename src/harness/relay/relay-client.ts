import { spawnSync } from 'node:child_process';
import { isAbsolute, resolve } from 'node:path';
import type { RelayProfile } from '../../protocol/index.ts';
import type { BrowserAction } from '../../scenarios/scenario.ts';
import { tlsTrustEnv, type ClientExit, type ClientSession, type ClientStartContext, type ClientUnderTest } from '../adapters/client-under-test.ts';
import { splitCommandLine } from '../adapters/command-line.ts';
import { freeLoopbackPort, type ProxyControl } from '../toxiproxy/index.ts';
import { classify, type Classified } from './attribution.ts';
import type { BrowserCallbacks, BrowserLink } from './browsers/browser.ts';
import { SocketIoBrowser } from './browsers/socketio-browser.ts';
import { StompBrowser } from './browsers/stomp-browser.ts';
import { WsBrowser } from './browsers/ws-browser.ts';
import { RefundHook } from './refund-hook.ts';
import { RelayProcess } from './relay-process.ts';
import { fill, fillRecord, fillString, valueAt, type TemplateValues } from './template.ts';

/** A STOMP broker the relay publishes through (src/harness/broker). */
export interface BrokerAccess {
  url: string;
  login: string;
  passcode: string;
}

export interface RelayClientOptions {
  /** The repository root: the default working directory, and `{{root}}` [default process.cwd()]. */
  rootDir?: string;
  /** The profile file's folder: the profile's `cwd` is relative to it [default rootDir]. */
  profileDir?: string;
  /** For profiles with `broker: stomp`. */
  broker?: BrokerAccess;
  /** Extra environment for the relay (after the profile's own). */
  env?: NodeJS.ProcessEnv;
  /** How long a browser may take to connect, in ms [default 15000]. */
  browserTimeoutMs?: number;
  /** Put each browser's link through its own Toxiproxy proxy when the run has one (needed for `slow`) [default true]. */
  proxyBrowsers?: boolean;
}

/** The Python that runs our Python subjects: COMFY_CHAOS_PYTHON, the project's venv, or python3. */
function pythonFor(root: string, env: NodeJS.ProcessEnv): string {
  return env.COMFY_CHAOS_PYTHON ?? resolve(root, '.tools/venv/bin/python');
}

/** Values every profile string may use, per run. */
function runValues(root: string, env: NodeJS.ProcessEnv): TemplateValues {
  return { root, node: process.execPath, python: pythonFor(root, env) };
}

/**
 * A relay under test (docs/relays.md) as a client of the runner: each session starts the relay
 * process, opens a browser per user with the real downstream protocol client, submits jobs through
 * the relay as their users, and turns what each browser hears into the runner's client events
 * (window = user), so the usual oracle judges delivery per user and the relay invariants the rest.
 */
export function relayClient(profile: RelayProfile, options: RelayClientOptions = {}): ClientUnderTest {
  const root = options.rootDir ?? process.cwd();
  let prepared: string | undefined;
  return {
    name: profile.name,
    transports: ['network'],
    relay: true,
    async start(context) {
      if (profile.prepare && prepared === undefined) prepared = prepare(profile, root, options);
      if (prepared) throw new Error(prepared);
      const session = new RelaySession(profile, { ...options, rootDir: root }, context);
      await session.start();
      return session;
    },
  };
}

/** Runs the profile's `prepare` command once (a build); returns an error message or ''. */
function prepare(profile: RelayProfile, root: string, options: RelayClientOptions): string {
  const values = runValues(root, { ...process.env, ...options.env });
  const words = (Array.isArray(profile.prepare) ? profile.prepare : splitCommandLine(profile.prepare!)).map((w) => fillString(w, values, 'prepare'));
  const result = spawnSync(words[0]!, words.slice(1), { cwd: root, encoding: 'utf8', timeout: 15 * 60_000, env: { ...process.env, ...options.env } });
  if (result.status === 0) return '';
  const tail = `${result.stdout ?? ''}\n${result.stderr ?? ''}`.trim().split('\n').slice(-5).join(' | ');
  return `relay "${profile.name}": its prepare step "${words.join(' ')}" failed (${result.error?.message ?? `exit ${String(result.status)}`}): ${tail}`;
}

interface RelayJob {
  id: string;
  user: string;
  promptId?: string;
  settled: boolean;
}

interface User {
  id: string;
  clientId: string;
  link?: BrowserLink;
  proxy?: ProxyControl;
  generation: number;
}

const MESSAGE_CHARS = 600;

/** Numbers sessions, so browser ids never repeat within a process (a broker keeps queues between runs). */
let sessionCounter = 0;

function shortJson(value: unknown): unknown {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > MESSAGE_CHARS ? `${text.slice(0, MESSAGE_CHARS)}…` : value;
}

class RelaySession implements ClientSession {
  private readonly root: string;
  private readonly hook: RefundHook;
  private process: RelayProcess | undefined;
  private port = 0;
  private readonly jobs = new Map<string, RelayJob>();
  private readonly jobByPrompt = new Map<string, RelayJob>();
  /** Messages naming a prompt id no submission has answered with yet (the answer may still be on its way). */
  private readonly early = new Map<string, { user: User; message: Classified }[]>();
  private readonly users = new Map<string, User>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;
  /** Part of every browser id of this session: two runs at once never share a user's queue or room. */
  private readonly tag = `${process.pid}-${++sessionCounter}`;

  constructor(
    private readonly profile: RelayProfile,
    private readonly options: RelayClientOptions & { rootDir: string },
    private readonly context: ClientStartContext,
  ) {
    this.root = options.rootDir;
    this.hook = new RefundHook((call) => {
      const job = call.promptId === undefined ? undefined : this.jobByPrompt.get(call.promptId);
      this.record({ type: 'refund', ...(call.userId === undefined ? {} : { user: call.userId }), ...(call.promptId === undefined ? {} : { prompt_id: call.promptId }), ...(job ? { job: job.id } : {}) });
    });
  }

  private record(event: Record<string, unknown> & { type: string }): void {
    if (!this.stopped) this.context.events.onRecord?.(event);
  }

  private values(user?: User): TemplateValues {
    const broker = this.options.broker;
    return {
      ...runValues(this.root, { ...process.env, ...this.options.env }),
      port: this.port,
      comfyUrl: this.context.comfyUrl,
      brokerUrl: broker?.url ?? '',
      brokerLogin: broker?.login ?? '',
      brokerPasscode: broker?.passcode ?? '',
      ...(user ? { userId: user.id, clientId: user.clientId } : {}),
    };
  }

  async start(): Promise<void> {
    const { profile } = this;
    if (profile.broker === 'stomp' && !this.options.broker) {
      throw new Error(`relay "${profile.name}" publishes through a STOMP broker and none was given: install RabbitMQ with scripts/install-rabbitmq.sh, or set STOMP_BROKER_URL`);
    }
    const refundUrl = await this.hook.start();
    this.port = await freeLoopbackPort();
    const values = this.values();
    const broker = this.options.broker;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...fillRecord(profile.env, values, 'env'),
      ...this.options.env,
      COMFY_URL: this.context.comfyUrl.split(',')[0]!.trim(),
      PORT: String(this.port),
      REFUND_URL: refundUrl,
      COMFY_CHAOS_HINTS: JSON.stringify(this.context.hints ?? {}),
      ...(broker ? { STOMP_BROKER_URL: broker.url, STOMP_LOGIN: broker.login, STOMP_PASSCODE: broker.passcode } : {}),
      ...(this.context.caFile ? tlsTrustEnv(this.context.caFile) : {}),
    };
    const command = Array.isArray(profile.command) ? profile.command : splitCommandLine(profile.command);
    const baseDir = this.options.profileDir ?? this.root;
    const cwd = profile.cwd === undefined ? this.root : isAbsolute(profile.cwd) ? profile.cwd : resolve(baseDir, profile.cwd);
    this.process = new RelayProcess({
      command: command.map((w) => fillString(w, values, 'command')),
      cwd,
      env,
      port: this.port,
      readyPath: profile.readyPath,
      startTimeoutMs: profile.startTimeoutMs,
      stopTimeoutMs: profile.stopTimeoutMs,
      onUnexpectedExit: (exit) => {
        const how = exit.signal ? `signal ${exit.signal}` : `code ${String(exit.code)}`;
        this.context.events.onProblem({ kind: exit.code === 0 ? 'exit' : 'crash', message: `relay "${profile.name}" ended on its own with ${how}`, detail: exit });
      },
    });
    await this.process.start();
    this.record({ type: 'relay_start', relay: profile.name, refunds: profile.refunds, downstream: profile.downstream.protocol, port: this.port });
    const windows = this.context.windows ?? ['main'];
    await Promise.all(windows.map((w) => this.openBrowser(this.userFor(w))));
  }

  private userFor(id: string): User {
    let user = this.users.get(id);
    if (!user) this.users.set(id, (user = { id, clientId: `browser-${id}-${this.tag}`, generation: 0 }));
    return user;
  }

  /** The downstream URL for a user: through the user's own Toxiproxy proxy when the run has one. */
  private async linkUrl(user: User, url: string): Promise<string> {
    const toxiproxy = this.context.toxiproxy;
    if (!toxiproxy || this.options.proxyBrowsers === false) return url;
    const parsed = new URL(url);
    const port = parsed.port || (parsed.protocol === 'wss:' || parsed.protocol === 'https:' ? '443' : '80');
    if (!user.proxy) {
      const name = `cc-browser-${process.pid}-${this.port}-${user.id}`.replace(/[^A-Za-z0-9_-]/g, '_');
      user.proxy = await toxiproxy.client.createProxy({ name, upstream: `${parsed.hostname}:${port}` });
    }
    parsed.host = user.proxy.address;
    return parsed.toString();
  }

  private async openBrowser(user: User): Promise<void> {
    const generation = ++user.generation;
    const values = this.values(user);
    const downstream = this.profile.downstream;
    const callbacks: BrowserCallbacks = {
      onMessage: (event, body) => {
        if (generation === user.generation) this.hear(user, event, body);
      },
      onState: (state, detail) => this.record({ type: 'downstream_state', user: user.id, state, ...(detail === undefined ? {} : { detail }) }),
    };
    const url = await this.linkUrl(user, fillString(downstream.url, values, 'downstream.url'));
    let link: BrowserLink;
    if (downstream.protocol === 'stomp') {
      link = new StompBrowser(
        {
          url,
          connectHeaders: fillRecord(downstream.connectHeaders, values, 'downstream.connectHeaders'),
          destination: fillString(downstream.destination, values, 'downstream.destination'),
          ack: downstream.ack,
          subscribeHeaders: fillRecord(downstream.subscribeHeaders, values, 'downstream.subscribeHeaders'),
          subprotocols: downstream.subprotocols,
        },
        callbacks,
      );
    } else if (downstream.protocol === 'socketio') {
      link = new SocketIoBrowser(
        {
          url,
          path: downstream.path,
          auth: fillRecord(downstream.auth, values, 'downstream.auth'),
          query: fillRecord(downstream.query, values, 'downstream.query'),
          reconnectionAttempts: downstream.reconnectionAttempts,
          acknowledge: downstream.acknowledge,
        },
        callbacks,
      );
    } else link = new WsBrowser(url, callbacks);
    user.link = link;
    await link.open(this.options.browserTimeoutMs ?? 15_000);
  }

  /** One message a user's browser heard: recorded as it came, then read and attributed to a job. */
  private hear(user: User, event: string | undefined, body: unknown): void {
    const message = classify(this.profile.messages, event, body);
    this.record({ type: 'downstream', user: user.id, ...(event === undefined ? {} : { event }), kind: message?.kind ?? 'other', message: shortJson(body) });
    if (!message) return;
    if (message.promptId !== undefined) {
      const job = this.jobByPrompt.get(message.promptId);
      if (job) this.report(user, job, message);
      else {
        const list = this.early.get(message.promptId) ?? [];
        list.push({ user, message });
        this.early.set(message.promptId, list);
      }
      return;
    }
    // No prompt id in the message (a design that routes per user only): it is about the user's oldest unfinished job.
    const job = [...this.jobs.values()].find((j) => j.user === user.id && !j.settled);
    if (job) this.report(user, job, message);
    else this.record({ type: 'downstream_unattributed', user: user.id, kind: message.kind, why: `user "${user.id}" has no unfinished job and the message names no prompt` });
  }

  private report(user: User, job: RelayJob, message: Classified): void {
    const window = user.id;
    const promptId = job.promptId ?? message.promptId;
    const own = job.user === user.id;
    if (message.kind === 'progress') {
      this.context.events.onEvent({ type: 'progress', id: job.id, value: message.value ?? 0, max: message.max ?? 0, window });
      return;
    }
    if (own) job.settled = true;
    if (message.kind === 'completed') {
      this.context.events.onEvent({ type: 'completed', id: job.id, prompt_id: promptId ?? '', outputs: {}, window, ...({ images: message.images, urls: message.urls } as object) });
    } else {
      const text = message.error ?? '';
      const reason = /interrupt/i.test(text) ? 'interrupted' : /\blost\b/i.test(text) ? 'lost' : /disconnect/i.test(text) ? 'disconnected' : 'error';
      this.context.events.onEvent({ type: 'failed', id: job.id, reason, ...(promptId === undefined ? {} : { prompt_id: promptId }), ...(message.error === undefined ? {} : { error: message.error }), window });
    }
  }

  submit(job: { id: string; prompt: Record<string, unknown>; window: string }): void {
    const user = this.userFor(job.window);
    const entry: RelayJob = { id: job.id, user: user.id, settled: false };
    this.jobs.set(job.id, entry);
    void this.send(user, entry, job.prompt);
  }

  private async send(user: User, job: RelayJob, prompt: Record<string, unknown>): Promise<void> {
    const { submit, submitTimeoutMs } = this.profile;
    const values = { ...this.values(user), prompt };
    let answer: unknown;
    try {
      if (submit.kind === 'http') {
        const response = await fetch(`http://127.0.0.1:${this.port}${submit.path}`, {
          method: submit.method,
          headers: { 'content-type': 'application/json', ...fillRecord(submit.headers, values, 'submit.headers') },
          body: JSON.stringify(fill(submit.body, values, 'submit.body')),
          signal: AbortSignal.timeout(submitTimeoutMs),
        });
        const text = await response.text();
        if (!response.ok) return this.refused(user, job, `the relay answered HTTP ${response.status}: ${text.slice(0, 200)}`, true);
        answer = JSON.parse(text) as unknown;
      } else {
        if (!user.link?.emitWithAck) return this.refused(user, job, `user "${user.id}" has no Socket.IO connection to emit "${submit.event}" on`, false);
        answer = await user.link.emitWithAck(submit.event, fill(submit.payload, values, 'submit.payload'), submitTimeoutMs);
      }
    } catch (error) {
      const e = error as Error;
      const timedOut = e.name === 'TimeoutError' || /timed? ?out|timeout/i.test(e.message);
      return this.refused(user, job, timedOut ? `no answer to the submission within ${submitTimeoutMs}ms` : `the submission failed: ${e.message}`, false);
    }
    const promptId = valueAt(answer, submit.promptIdPath);
    if (typeof promptId !== 'string' || !promptId) {
      return this.refused(user, job, `the relay's answer has no prompt id at "${submit.promptIdPath}": ${JSON.stringify(answer)?.slice(0, 200)}`, true);
    }
    job.promptId = promptId;
    this.jobByPrompt.set(promptId, job);
    this.context.events.onEvent({ type: 'submitted', id: job.id, prompt_id: promptId, window: user.id });
    const early = this.early.get(promptId);
    this.early.delete(promptId);
    for (const e of early ?? []) this.report(e.user, job, e.message);
  }

  /**
   * A submission the relay did not take. `told`: the relay said so (an error answer), which a
   * page shows its user as a failed job; no answer at all leaves the page waiting.
   */
  private refused(user: User, job: RelayJob, message: string, told: boolean): void {
    this.record({ type: 'submit_failed', id: job.id, user: user.id, message });
    if (told) {
      job.settled = true;
      this.context.events.onEvent({ type: 'failed', id: job.id, reason: 'error', error: message, window: user.id });
    }
  }

  cancel(id: string): void {
    this.record({ type: 'log', message: `relay "${this.profile.name}" has no cancel in its profile; job ${id} was not cancelled` });
  }

  browser(action: BrowserAction): void {
    const user = this.users.get(action.user);
    if (!user?.link) return;
    const later = (ms: number, fn: () => void) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        if (!this.stopped) fn();
      }, ms);
      this.timers.add(timer);
    };
    const reopen = () => void this.openBrowser(user).catch((error: Error) => this.record({ type: 'downstream_state', user: user.id, state: 'error', detail: error.message }));
    switch (action.action) {
      case 'drop':
        user.link.drop();
        break;
      case 'reload':
        void user.link.close();
        later(action.forMs, reopen);
        break;
      case 'offline':
        user.link.kill();
        later(action.forMs, reopen);
        break;
      case 'slow': {
        const proxy = user.proxy;
        if (!proxy) {
          this.record({ type: 'log', message: `slow browser for user "${user.id}" not applied: the run has no Toxiproxy` });
          break;
        }
        const name = `browser_slow_${user.generation}_${action.atMs}`;
        const say = (message: string) => this.record({ type: 'downstream_state', user: user.id, state: 'link', detail: message });
        void proxy
          .addToxic({ type: 'latency', name, stream: 'downstream', attributes: { latency: action.latencyMs, jitter: 0 } })
          .then(() => say(`${action.latencyMs} ms latency on the link to the browser (Toxiproxy ${proxy.name})`))
          .catch((error: Error) => say(`latency not applied: ${error.message}`));
        later(action.forMs, () => void proxy.removeToxic(name).then(() => say('latency removed'), () => {}));
        break;
      }
    }
  }

  async shutdown(): Promise<ClientExit> {
    for (const [promptId, list] of this.early) {
      for (const e of list) this.record({ type: 'downstream_unattributed', user: e.user.id, kind: e.message.kind, why: `prompt ${promptId} is no job's the harness submitted` });
    }
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    await Promise.all([...this.users.values()].map((u) => u.link?.close().catch(() => {})));
    const exit = (await this.process?.stop()) ?? { code: 0, signal: null, stderrTail: [] };
    await this.hook.stop();
    await Promise.all([...this.users.values()].map((u) => u.proxy?.remove().catch(() => {})));
    return exit;
  }
}
