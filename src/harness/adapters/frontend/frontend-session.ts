import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import type { ApiPrompt } from '../../../protocol/index.ts';
import type { ClientEvents, ClientSession } from '../client-under-test.ts';
import { frontendFiles } from './static-files.ts';
import { CANCEL_SCRIPT, READY_CHECK, REPORT_BINDING, SUBMIT_SCRIPT, WATCH_SCRIPT, type PageReport } from './page-scripts.ts';

/**
 * One session of the official frontend under test: a fresh browser context (no storage shared
 * with other sessions) whose page opens the ComfyUI URL it is given (the Toxiproxy proxy on the
 * network transport), so the API and the socket go through the scenario's faults while the
 * frontend's own files are fulfilled from disk (static-files.ts). Hosts other than the ComfyUI
 * one are blocked. Jobs are submitted one at a time through the frontend's queue path; what the
 * frontend then shows is reported (page-scripts.ts).
 */
export interface FrontendSessionOptions {
  browser: Browser;
  version: string;
  staticDir: string;
  comfyUrl: string;
  events: ClientEvents;
  /** How long the frontend may take to load and connect its socket, in ms [default 120 000]. */
  loadTimeoutMs?: number;
}

/** Settings of a returning user, posted before the page opens (as test/browser/frontend.test.ts): no new-user template browser over the graph. */
const RETURNING_USER: Record<string, unknown> = { 'Comfy.TutorialCompleted': true };

/** At most this many page errors and console errors are traced as `log` events. */
const MAX_PAGE_LOGS = 20;

export async function startFrontendSession(options: FrontendSessionOptions): Promise<ClientSession> {
  const { browser, version, comfyUrl, events } = options;
  const loadTimeoutMs = options.loadTimeoutMs ?? 120_000;
  const base = new URL(comfyUrl.replace(/\/+$/, '') + '/');
  for (const [id, value] of Object.entries(RETURNING_USER)) {
    const reply = await fetch(new URL(`api/settings/${encodeURIComponent(id)}`, base), { method: 'POST', body: JSON.stringify(value), signal: AbortSignal.timeout(30_000) });
    if (!reply.ok) throw new Error(`frontend ${version}: could not set ${id} for a returning user (POST /api/settings/${id}: HTTP ${reply.status})`);
  }
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  try {
    return await openPage(context, { ...options, loadTimeoutMs, base });
  } catch (error) {
    await context.close().catch(() => undefined);
    throw error;
  }
}

async function openPage(context: BrowserContext, options: FrontendSessionOptions & { loadTimeoutMs: number; base: URL }): Promise<ClientSession> {
  const { version, events, base, loadTimeoutMs } = options;
  const files = frontendFiles(options.staticDir);
  // Host, not origin: the socket is ws://, the same host.
  await context.route((url) => url.host !== base.host, (route) => route.abort('blockedbyclient'));
  await context.route(
    (url) => url.host === base.host && files.owns(url.pathname),
    (route) => {
      const file = files.fileFor(new URL(route.request().url()).pathname);
      return file ? route.fulfill({ path: file, headers: { 'cache-control': 'no-cache' } }) : route.fulfill({ status: 404, body: '404: Not Found' });
    },
  );
  const page = await context.newPage();
  let logs = 0;
  const log = (message: string) => {
    if (logs++ < MAX_PAGE_LOGS) events.onEvent({ type: 'log', message: `frontend ${version}: ${message}`.slice(0, 2_000) });
  };
  page.on('pageerror', (error) => log(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().includes('ERR_BLOCKED_BY_CLIENT')) log(`console error: ${message.text()}`);
  });

  const jobs = new JobBook(events);
  await page.exposeBinding(REPORT_BINDING, (_source, report: PageReport) => jobs.fromPage(report));
  page.on('response', (response) => jobs.maybePromptReply(response, base));

  await page.goto(base.href, { timeout: loadTimeoutMs, waitUntil: 'domcontentloaded' }).catch((error: Error) => {
    throw new Error(`frontend ${version} did not load from ${base.href}: ${error.message}`);
  });
  await page.waitForFunction(READY_CHECK, null, { timeout: loadTimeoutMs, polling: 250 }).catch(() => {
    throw new Error(`frontend ${version} did not load within ${Math.round(loadTimeoutMs / 1000)} s at ${base.href} (its app, graph, stores and an open socket); see the log events of this run for its page errors`);
  });
  await page.evaluate(WATCH_SCRIPT);

  /** Submits one at a time: the frontend queues the graph on its canvas, so the next job's graph may load only once the last was queued. */
  let queueing: Promise<unknown> = Promise.resolve();
  let closed = false;
  return {
    capabilities: { servers: 1, windows: 1, cancel: true },
    submit(job: { id: string; prompt: ApiPrompt; window: string }) {
      queueing = queueing.then(async () => {
        if (closed) return;
        jobs.queueing(job.id);
        const outcome = await page.evaluate(call(SUBMIT_SCRIPT, [job.prompt, job.id])).then(
          () => undefined,
          (error: Error) => error,
        );
        if (closed) return;
        await jobs.queued(job.id, outcome);
      });
    },
    cancel(id: string) {
      // A user can cancel a job once the frontend has queued it: a cancel asked for while its Run is
      // still on its way (loading the graph, POST /prompt) is done right after, as a user would click.
      const cancelNow = () => {
        if (closed) return;
        const promptId = jobs.promptOf(id);
        if (promptId === undefined) {
          log(`cancel of ${id}: the frontend queued no prompt for it, so it shows nothing to cancel`);
          return;
        }
        void page.evaluate(call(CANCEL_SCRIPT, promptId)).then(
          (how) => {
            log(`cancel of ${id} (${promptId}): ${String(how)}`);
            // The sidebar dropped the cancelled entry: the frontend shows the job as gone, cancelled by its user.
            if (how === 'removed' && !closed) jobs.removedByCancel(id, promptId);
          },
          (error: Error) => !closed && log(`cancel of ${id} (${promptId}) failed in the page: ${error.message}`),
        );
      };
      if (jobs.promptOf(id) !== undefined) cancelNow();
      else void queueing.then(cancelNow);
    },
    async shutdown() {
      closed = true;
      await context.close().catch(() => undefined);
      return { code: 0, signal: null, stderrTail: [] };
    },
  };
}

/** A page script (a function's text) called with one argument, as an expression: a string given to page.evaluate is evaluated, never called. */
function call(script: string, argument: unknown): string {
  return `(${script})(${JSON.stringify(argument)})`;
}

/** Which harness job each prompt id is (learnt from the POST /prompt reply the page received), and the reports in job terms. */
class JobBook {
  private readonly jobOf = new Map<string, string>();
  private readonly promptIdOf = new Map<string, string>();
  private current: string | undefined;
  private reply: Promise<{ status: number; body: unknown } | { failure: string }> | undefined;
  /**
   * Reports on a prompt id not known yet, held while a job is being queued: ComfyUI starts a
   * prompt before its POST reply reaches the page, so the node's progress shows before the prompt
   * id is known here (seen in a run); they are passed on, in order, once the reply was read.
   */
  private held: PageReport[] = [];

  constructor(private readonly events: ClientEvents) {}

  queueing(id: string): void {
    this.current = id;
    this.reply = undefined;
  }

  promptOf(id: string): string | undefined {
    return this.promptIdOf.get(id);
  }

  maybePromptReply(response: Response, base: URL): void {
    const request = response.request();
    if (request.method() !== 'POST' || new URL(response.url()).pathname !== `${base.pathname}api/prompt`) return;
    if (this.current === undefined || this.reply) return;
    this.reply = response.json().then(
      (body: unknown) => ({ status: response.status(), body }),
      (error: Error) => ({ failure: `HTTP ${response.status()}, body unreadable: ${error.message}` }),
    );
  }

  /** After the Run command resolved: the job is submitted (a prompt id came back) or the frontend showed the failure. */
  async queued(id: string, commandError: Error | undefined): Promise<void> {
    const reply = await this.reply;
    this.current = undefined;
    this.reply = undefined;
    try {
      this.settle(id, reply, commandError);
    } finally {
      const held = this.held;
      this.held = [];
      for (const report of held) this.dispatch(report);
    }
  }

  private settle(id: string, reply: { status: number; body: unknown } | { failure: string } | undefined, commandError: Error | undefined): void {
    const promptId = reply && 'body' in reply && reply.status === 200 ? (reply.body as { prompt_id?: unknown }).prompt_id : undefined;
    if (typeof promptId === 'string') {
      this.jobOf.set(promptId, id);
      this.promptIdOf.set(id, promptId);
      this.events.onEvent({ type: 'submitted', id, prompt_id: promptId });
      return;
    }
    // The frontend's queuePrompt shows an error dialog for a non-200 reply or a failed request
    // (1.27.10 src/scripts/app.ts queuePrompt: catch -> showErrorDialog 'promptExecutionError').
    const why = commandError
      ? `the Run command failed in the page: ${commandError.message}`
      : !reply
        ? 'its POST /api/prompt got no reply (the request failed); the frontend shows a "Prompt execution error" dialog'
        : 'failure' in reply
          ? reply.failure
          : `POST /api/prompt answered HTTP ${reply.status}; the frontend shows a "Prompt execution error" dialog: ${JSON.stringify(reply.body).slice(0, 300)}`;
    this.events.onEvent({ type: 'failed', id, reason: 'error', error: why });
  }

  removedByCancel(id: string, promptId: string): void {
    this.events.onEvent({ type: 'failed', id, prompt_id: promptId, reason: 'interrupted', error: 'cancelled: its entry left the queue sidebar' });
  }

  fromPage(report: PageReport): void {
    // Only a prompt not known yet waits (it may be the one being queued); others' reports are not delayed.
    const unknown = report.kind !== 'log' && !this.jobOf.has(report.promptId);
    if (this.current !== undefined && unknown) this.held.push(report);
    else this.dispatch(report);
  }

  private dispatch(report: PageReport): void {
    if (report.kind === 'log') {
      this.events.onEvent({ type: 'log', message: report.message });
      return;
    }
    const id = this.jobOf.get(report.promptId);
    if (id === undefined) {
      // The sidebar lists the server's whole queue and history, not "your jobs": an entry whose
      // prompt id the page never learnt (its POST /prompt reply was lost, and the frontend showed
      // the error dialog for the job) is not something the frontend tells its user about that job.
      this.events.onEvent({ type: 'log', message: `the frontend shows ${report.kind} for prompt ${report.promptId}, whose POST /prompt reply the page never read; not a report on any job` });
      return;
    }
    if (report.kind === 'progress') this.events.onEvent({ type: 'progress', id, value: report.value, max: report.max, node: report.node });
    else if (report.kind === 'completed') this.events.onEvent({ type: 'completed', id, prompt_id: report.promptId, outputs: report.outputs });
    else this.events.onEvent({ type: 'failed', id, prompt_id: report.promptId, reason: report.reason, error: report.error });
  }
}
