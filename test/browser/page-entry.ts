/**
 * The browser page of the browser check: bundled by esbuild (platform `browser`) at test time and
 * served from the simulator's own origin. It creates a {@link ReferenceClient} with the browser's
 * own `fetch` and `WebSocket` (no transport options), submits the job described by the page's
 * config and records everything on `window.__ccBrowser` for the test to read.
 *
 * Imports only the browser-safe entry of the reference client (`index.ts`, never `node.ts`).
 */
import { ReferenceClient, type JobOutcome, type SessionStatus, type TimingOptions } from '../../src/reference-client/index.ts';
import type { ApiPrompt } from '../../src/protocol/index.ts';

/** What the test embeds in the page as `<script type="application/json" id="cc-config">`. */
export interface BrowserPageConfig {
  prompt: ApiPrompt;
  seed: number;
  timings: TimingOptions;
}

/** One recorded event; previews are reduced to their size so the record stays JSON. */
export interface RecordedEvent {
  type: string;
  /** Milliseconds since the page script started (for the report only; nothing asserts on it). */
  t: number;
  event: Record<string, unknown>;
}

export interface BrowserPageState {
  clientId?: string;
  promptId?: string;
  accepted?: unknown;
  outcome?: JobOutcome;
  events: RecordedEvent[];
  /** Uncaught errors and unhandled rejections seen on the page. */
  errors: string[];
  /** The session's status, refreshed after every event and every 100 ms. */
  status?: SessionStatus;
  done: boolean;
}

declare global {
  interface Window {
    __ccBrowser: BrowserPageState;
  }
}

const state: BrowserPageState = { events: [], errors: [], done: false };
window.__ccBrowser = state;
const started = performance.now();

window.addEventListener('error', (e) => state.errors.push(`error: ${e.message}`));
window.addEventListener('unhandledrejection', (e) => state.errors.push(`unhandledrejection: ${String((e as PromiseRejectionEvent).reason)}`));

function show(line: string): void {
  const log = document.getElementById('log');
  if (log) log.textContent += line + '\n';
}

function record(type: string, event: object): void {
  const copy: Record<string, unknown> = { ...event };
  if (copy.image instanceof Uint8Array) copy.image = `<${copy.image.length} bytes>`;
  state.events.push({ type, t: Math.round(performance.now() - started), event: copy });
  show(`${type} ${JSON.stringify(copy).slice(0, 160)}`);
}

function run(): void {
  const configText = document.getElementById('cc-config')?.textContent ?? '';
  const config = JSON.parse(configText) as BrowserPageConfig;
  // The simulator serves this page, so the ComfyUI API is on the page's own origin (no CORS).
  const client = new ReferenceClient({ servers: location.origin, seed: config.seed, ...config.timings });
  const session = client.window('browser');
  state.clientId = session.clientId;
  const refresh = () => {
    state.status = session.status();
  };
  for (const type of ['submitted', 'progress', 'preview', 'completed', 'failed', 'interrupted', 'lost', 'connection'] as const) {
    session.on(type, (event) => {
      record(type, event);
      refresh();
    });
  }
  setInterval(refresh, 100);
  const job = session.submit(config.prompt);
  state.promptId = job.promptId;
  show(`client ${session.clientId}, prompt ${job.promptId}`);
  void job.accepted.then((accepted) => {
    state.accepted = accepted;
    refresh();
  });
  void job.outcome.then((outcome) => {
    state.outcome = outcome;
    state.done = true;
    refresh();
    show(`outcome: ${outcome.type}`);
  });
}

try {
  run();
} catch (error) {
  state.errors.push(`run: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  state.done = true;
}
