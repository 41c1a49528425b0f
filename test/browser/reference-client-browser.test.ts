/**
 * The browser check of the reference client (issue 3): a page bundling the client runs in headless
 * Chromium against the simulator (real sockets on 127.0.0.1), the simulator terminates the page's
 * WebSocket mid-job, and the job still completes exactly once with the outputs of `/history`.
 *
 * Needs Debian's `chromium` (`apt-get install chromium`); skipped without it unless
 * `COMFY_CHAOS_STRICT=1` (CI), where a missing browser fails the test.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import type { Browser } from 'playwright-core';
import { launchChromium, requireChromium } from './chromium.ts';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FaultInput, HistoryEntry, TraceEvent } from '../../src/protocol/index.ts';
import { Simulator, route, type SimResponse } from '../../src/simulator/index.ts';
import { sleepGraph } from '../helpers/graphs.ts';
import type { BrowserPageConfig, BrowserPageState } from './page-entry.ts';

const reportDir = fileURLToPath(new URL('../../reports/browser/', import.meta.url));
const entry = fileURLToPath(new URL('./page-entry.ts', import.meta.url));
/** Upper bound on every wait in the browser (real time); generous for a loaded 2-core CI machine. */
const WAIT_MS = 20_000;

interface Bundle {
  js: string;
  inputs: string[];
}

async function bundlePage(): Promise<Bundle> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const js = result.outputFiles?.[0]?.text;
  if (js === undefined) throw new Error('esbuild produced no output for test/browser/page-entry.ts');
  return { js, inputs: Object.keys((result.metafile as Metafile).inputs) };
}

function pageHtml(config: BrowserPageConfig): string {
  // `<` escaped so that nothing in the config can close the script element.
  const json = JSON.stringify(config).replace(/</g, '\\u003c');
  return `<!doctype html>
<html>
<head>
<meta charset="utf-8">
<title>comfy-chaos reference client: browser check</title>
<link rel="icon" href="data:,">
<style>body { font: 13px monospace; margin: 12px; } pre { white-space: pre-wrap; }</style>
</head>
<body>
<h3>comfy-chaos reference client in Chromium</h3>
<pre id="log"></pre>
<script type="application/json" id="cc-config">${json}</script>
<script type="module" src="/browser-check/page.js"></script>
</body>
</html>`;
}

function pageRoutes(html: string, js: string) {
  const ok = (body: string, contentType: string): SimResponse => ({ status: 200, headers: { 'content-type': contentType, 'cache-control': 'no-store' }, body });
  return [
    route.get('/browser-check/index.html', () => ok(html, 'text/html; charset=utf-8')),
    route.get('/browser-check/page.js', () => ok(js, 'text/javascript; charset=utf-8')),
  ];
}

describe('reference client in a browser (headless Chromium, real sockets)', () => {
  let bundle: Bundle;
  let browser: Browser | undefined;
  let sim: Simulator | undefined;

  beforeAll(async () => {
    bundle = await bundlePage();
  });

  afterEach(async () => {
    await browser?.close();
    browser = undefined;
    await sim?.close();
    sim = undefined;
  });

  it('bundles for the browser without Node built-ins or the Node-only entry', () => {
    // esbuild (platform browser) already refuses to resolve `node:*`; this also catches `ws` or node.ts.
    expect(bundle.inputs.filter((f) => f.startsWith('node:'))).toEqual([]);
    expect(bundle.inputs.filter((f) => /src\/reference-client\/node\.ts$|node_modules\/ws\//.test(f))).toEqual([]);
    expect(bundle.inputs.some((f) => f.endsWith('src/reference-client/window-session.ts'))).toBe(true);
  });

  const cases: { name: string; at: FaultInput['at']; slug: string }[] = [
    // The job is still running when the page is back: progress resumes on the new socket.
    { name: 'before the 2nd progress', slug: 'progress', at: { on: 'message', type: 'progress', occurrence: 2 } },
    // `executed` and `execution_success` go to nobody: only the resync after the reconnect can see the end.
    { name: 'before executed', slug: 'executed', at: { on: 'message', type: 'executed' } },
  ];

  it.for(cases)('completes a job exactly once across a socket terminated $name', async ({ name, slug, at }, ctx) => {
    requireChromium(ctx);

    const prompt = sleepGraph(1500, 6, 'browser');
    const config: BrowserPageConfig = {
      prompt,
      seed: 7,
      // Defaults, except a faster history retry and lock release so the check stays short.
      timings: { historyRetryDelayMs: 100, lockReleaseDelayMs: 500 },
    };
    sim = new Simulator({
      seed: 1,
      timing: { pickupMs: 5 },
      faults: [{ type: 'terminate', at, label: `terminate ${name}` }],
      routes: pageRoutes(pageHtml(config), bundle.js),
    });
    const { url } = await sim.listen({ host: '127.0.0.1', port: 0 });

    // launch() runs Chromium on a fresh temporary profile (user-data dir) and deletes it on close.
    browser = await launchChromium(WAIT_MS);
    const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
    const consoleErrors: string[] = [];
    const consoleLog: string[] = [];
    page.on('console', (message) => {
      consoleLog.push(`${message.type()}: ${message.text()}`);
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(`pageerror: ${error.message}`));

    try {
      await page.goto(`${url}/browser-check/index.html`, { timeout: WAIT_MS });
      await page.waitForFunction(() => window.__ccBrowser?.done === true, null, { timeout: WAIT_MS, polling: 50 });
      // Let the session settle: once the lock is released no job is pending, so no late duplicate can come.
      await page.waitForFunction(() => window.__ccBrowser.status?.lockedServer === undefined, null, { timeout: WAIT_MS, polling: 50 });
    } catch (error) {
      const seen = await page.evaluate(() => JSON.stringify(window.__ccBrowser ?? null)).catch(() => 'unreadable');
      throw new Error(`the page did not finish: ${(error as Error).message}\nconsole: ${consoleLog.join('\n')}\npage state: ${seen.slice(0, 4000)}`);
    }
    const state = await page.evaluate(() => window.__ccBrowser as BrowserPageState);

    mkdirSync(reportDir, { recursive: true });
    await page.screenshot({ path: `${reportDir}reference-client-browser-${slug}.png`, fullPage: true });
    const browserVersion = browser.version();
    writeFileSync(`${reportDir}reference-client-browser-${slug}.json`, JSON.stringify({ browserVersion, console: consoleLog, page: state, trace: sim.trace }, null, 1));

    expect(state.errors).toEqual([]);
    expect(state.outcome?.type, JSON.stringify(state, null, 1).slice(0, 4000)).toBe('completed');
    const promptId = state.promptId!;
    const ends = state.events.filter((e) => ['completed', 'failed', 'interrupted', 'lost'].includes(e.type));
    expect(ends.map((e) => e.type)).toEqual(['completed']);
    expect(ends[0]!.event.promptId).toBe(promptId);

    // The outputs are those of the simulator's history entry.
    const history = (await (await fetch(`${url}/history/${promptId}`)).json()) as Record<string, HistoryEntry>;
    expect(history[promptId]?.status?.completed).toBe(true);
    expect(ends[0]!.event.outputs).toEqual(history[promptId]!.outputs);
    expect(state.outcome).toMatchObject({ type: 'completed', promptId, outputs: history[promptId]!.outputs });

    // The trace: the fault fired, the page's socket was dropped, and the page came back with the same clientId.
    const trace: readonly TraceEvent[] = sim.trace;
    const faultAt = trace.findIndex((e) => e.kind === 'fault' && e.faultType === 'terminate');
    expect(faultAt).toBeGreaterThanOrEqual(0);
    const connects = trace.filter((e): e is Extract<TraceEvent, { kind: 'ws_connect' }> => e.kind === 'ws_connect');
    expect(connects.length).toBeGreaterThanOrEqual(2);
    expect(new Set(connects.map((c) => c.clientId))).toEqual(new Set([state.clientId]));
    expect(trace.slice(faultAt).some((e) => e.kind === 'ws_connect')).toBe(true);
    expect(state.status?.counters.connection.reconnects).toBeGreaterThanOrEqual(1);
    expect(state.status?.counters.recovery.resyncs).toBeGreaterThanOrEqual(1);
    // Job ran once: one prompt accepted by the simulator.
    expect(trace.filter((e) => e.kind === 'http' && e.method === 'POST' && e.path === '/prompt' && e.status === 200)).toHaveLength(1);

    expect(consoleErrors).toEqual([]);
  });
});
