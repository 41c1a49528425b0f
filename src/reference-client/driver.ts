/**
 * The reference client as a driver process (`comfy-chaos driver reference`): driver commands as
 * JSON lines in, driver events as JSON lines out (schema in src/protocol/driver.ts). Node only:
 * it uses the `ws` socket factory.
 */
import { readFileSync } from 'node:fs';
import { driverCommand, driverEvent, type DriverEvent } from '../protocol/index.ts';
import { createNodeWebSocketFactory, trustingNodeTransport } from './node.ts';
import { ReferenceClient, type ReferenceClientOptions } from './reference-client.ts';
import type { WindowSession } from './window-session.ts';

export interface ReferenceDriverIo {
  /** Driver commands, one JSON object per line (e.g. `process.stdin`). */
  input: AsyncIterable<string | Uint8Array>;
  /** Driver events are written here, one JSON object per line (e.g. `process.stdout`). */
  output: { write(chunk: string): unknown };
  /**
   * `COMFY_URLS` (every server, comma-separated) or else `COMFY_URL` (required), `COMFY_CHAOS_SEED`
   * (optional integer), `COMFY_CHAOS_HINTS` (optional JSON: the scenario's timing hints in ms),
   * `COMFY_CA_FILE` (optional: a PEM file of CAs to trust for https:// and wss:// servers).
   */
  env: Record<string, string | undefined>;
  /** Overrides for the client (tests inject a clock, fetch and socket factory here). */
  clientOptions?: Partial<ReferenceClientOptions>;
}

/** Runs until a `shutdown` command or the end of input. Resolves with a process exit code. */
export async function runReferenceDriver(io: ReferenceDriverIo): Promise<number> {
  const write = (event: DriverEvent) => {
    const checked = driverEvent.safeParse(event);
    io.output.write(`${JSON.stringify(checked.success ? checked.data : { type: 'log', message: `invalid event dropped: ${JSON.stringify(event)}` })}\n`);
  };
  const servers = (io.env.COMFY_URLS || io.env.COMFY_URL || '').split(',').map((s) => s.trim()).filter(Boolean);
  if (servers.length === 0) {
    write({ type: 'log', message: 'COMFY_URL is not set: give the ComfyUI base URL, e.g. COMFY_URL=http://127.0.0.1:8188' });
    return 2;
  }
  const seedText = io.env.COMFY_CHAOS_SEED;
  const seed = seedText !== undefined && /^\d+$/.test(seedText) ? Number(seedText) % 4294967296 : undefined;
  const hints = hintOptions(io.env.COMFY_CHAOS_HINTS, (message) => write({ type: 'log', message }));
  let trusted: ReturnType<typeof trustingNodeTransport> | undefined;
  if (io.env.COMFY_CA_FILE) {
    try {
      trusted = trustingNodeTransport(readFileSync(io.env.COMFY_CA_FILE));
    } catch (error) {
      write({ type: 'log', message: `COMFY_CA_FILE=${io.env.COMFY_CA_FILE} cannot be read (${(error as Error).message}): give a PEM file of the CA certificates to trust` });
      return 2;
    }
  }
  let client: ReferenceClient;
  try {
    client = new ReferenceClient({
      ...(trusted ?? { webSocketFactory: createNodeWebSocketFactory() }),
      ...(seed === undefined ? {} : { seed }),
      ...hints,
      ...io.clientOptions,
      servers,
    });
  } catch (error) {
    write({ type: 'log', message: error instanceof Error ? error.message : String(error) });
    return 2;
  }

  const jobIdByPrompt = new Map<string, string>();
  const promptByJobId = new Map<string, { promptId: string; session: WindowSession }>();
  const unsubscribers: (() => void)[] = [];
  const watched = new Set<WindowSession>();
  const watch = (session: WindowSession) => {
    if (watched.has(session)) return;
    watched.add(session);
    const id = (promptId: string) => jobIdByPrompt.get(promptId);
    unsubscribers.push(
      session.on('submitted', (e) => {
        // A server that names prompts itself (ComfyUI before 2025-07-14) gives another id: every later event carries it.
        const submitted = id(e.submitId);
        if (submitted !== undefined && e.promptId !== e.submitId) jobIdByPrompt.set(e.promptId, submitted);
        const jobId = id(e.promptId);
        if (jobId) write({ type: 'submitted', id: jobId, prompt_id: e.promptId });
      }),
      session.on('progress', (e) => {
        const jobId = id(e.promptId);
        if (jobId) write({ type: 'progress', id: jobId, value: e.value, max: e.max, node: e.node });
      }),
      session.on('completed', (e) => {
        const jobId = id(e.promptId);
        if (jobId) write({ type: 'completed', id: jobId, prompt_id: e.promptId, outputs: e.outputs });
      }),
      session.on('failed', (e) => {
        const jobId = id(e.promptId);
        if (jobId) write({ type: 'failed', id: jobId, prompt_id: e.promptId, reason: e.reason, error: e.error });
      }),
      session.on('interrupted', (e) => {
        const jobId = id(e.promptId);
        if (jobId) write({ type: 'failed', id: jobId, prompt_id: e.promptId, reason: 'interrupted', error: e.cancelled ? 'cancelled before it ran' : 'interrupted' });
      }),
      session.on('lost', (e) => {
        const jobId = id(e.promptId);
        if (jobId) write({ type: 'failed', id: jobId, prompt_id: e.promptId, reason: 'lost', error: e.error });
      }),
    );
  };

  const handle = (line: string): 'continue' | 'stop' => {
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      write({ type: 'log', message: `ignored a line that is not JSON: ${line.slice(0, 120)}` });
      return 'continue';
    }
    const parsed = driverCommand.safeParse(json);
    if (!parsed.success) {
      write({ type: 'log', message: `ignored an invalid command: ${line.slice(0, 120)}` });
      return 'continue';
    }
    const command = parsed.data;
    switch (command.type) {
      case 'shutdown':
        return 'stop';
      case 'submit': {
        if (promptByJobId.has(command.id)) {
          write({ type: 'log', message: `job id ${command.id} was already submitted; ignored` });
          return 'continue';
        }
        const session = client.window(command.window ?? 'default');
        watch(session);
        // The submit id is chosen before the POST, so the mapping exists before any event; the
        // server's id, when it differs, is mapped on `submitted`, which comes before any other event.
        const job = session.submit(command.prompt);
        jobIdByPrompt.set(job.promptId, command.id);
        promptByJobId.set(command.id, { promptId: job.promptId, session });
        return 'continue';
      }
      case 'cancel': {
        const known = promptByJobId.get(command.id);
        if (!known) {
          write({ type: 'log', message: `cancel: unknown job id ${command.id}` });
          return 'continue';
        }
        known.session.cancel(known.promptId).then(
          (result) => write({ type: 'log', message: `cancel ${command.id}: ${result}` }),
          (error: unknown) => write({ type: 'log', message: `cancel ${command.id} failed: ${error instanceof Error ? error.message : String(error)}` }),
        );
        return 'continue';
      }
    }
  };

  // It keeps any number of windows apart, follows a pool of servers and cancels (docs/write-a-driver.md, "Capabilities").
  // base_path: it takes any base URL, a path included (a ComfyUI behind a front under a prefix).
  write({ type: 'ready', capabilities: { servers: 64, windows: 1024, cancel: true, base_path: true } });
  const decoder = new TextDecoder();
  let buffered = '';
  let stop = false;
  try {
    for await (const chunk of io.input) {
      buffered += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
      let newline: number;
      while (!stop && (newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline).trim();
        buffered = buffered.slice(newline + 1);
        if (line && handle(line) === 'stop') stop = true;
      }
      if (stop) break;
    }
    if (!stop && buffered.trim()) handle(buffered.trim());
  } finally {
    // Events after shutdown would go to a reader that has stopped listening.
    for (const off of unsubscribers) off();
    client.close();
  }
  return 0;
}

/** The timing hints the reference client takes as options, in ms (the in-process adapter passes the same ones). */
const HINTED_OPTIONS = ['healthTimeoutMs', 'pollIntervalMs', 'reconnectCapMs', 'jobTimeoutMs', 'lockReleaseDelayMs', 'requestTimeoutMs'] as const;

/**
 * `COMFY_CHAOS_HINTS` as client options: the known numeric hints, as the in-process adapter uses
 * them (so the driver and `--client reference` behave alike, e.g. a 2 s health timeout in group 5);
 * anything else is ignored, and JSON that does not parse is said in a log event.
 */
export function hintOptions(text: string | undefined, log: (message: string) => void): Partial<Pick<ReferenceClientOptions, (typeof HINTED_OPTIONS)[number]>> {
  if (!text) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    log(`COMFY_CHAOS_HINTS is not JSON, ignored: ${text.slice(0, 200)}`);
    return {};
  }
  const out: Partial<Record<(typeof HINTED_OPTIONS)[number], number>> = {};
  if (parsed === null || typeof parsed !== 'object') return out;
  for (const key of HINTED_OPTIONS) {
    const value = (parsed as Record<string, unknown>)[key];
    if (typeof value === 'number' && Number.isFinite(value) && value > 0) out[key] = value;
  }
  return out;
}
