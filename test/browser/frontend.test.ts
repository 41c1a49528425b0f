/**
 * The official ComfyUI frontend on the simulator (issue 17): each pinned version of
 * comfyui-frontend-package (scripts/install-frontend.sh puts them in .tools/frontend/) is served
 * by the simulator as `serve --frontend` serves it, and driven in headless Chromium as a user
 * would: the page loads with no failed API request and no console error the simulator caused,
 * the default graph runs from the Run button with progress on the sampler node and the saved
 * image in the queue or assets sidebar, a setting changed in the UI and a saved workflow are
 * both still there after a reload. Hosts other than the simulator are blocked in the browser.
 *
 * Skipped when Chromium or the frontend version is missing, unless COMFY_CHAOS_STRICT=1 (CI),
 * where that fails instead. Screenshots go to reports/browser/frontend-<version>-*.png.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { findComfyuiProfile, findFrontend, frontendRoutes, Simulator, type FoundFrontend } from '../../src/simulator/index.ts';
import { launchChromium, requireChromium, strict } from './chromium.ts';
import { expectedMisses, isExpectedPageError, type FrontendCase } from './frontend-expectations.ts';

const reportDir = fileURLToPath(new URL('../../reports/browser/', import.meta.url));
/** Upper bound on each wait in the browser (real time); the frontend is a large app on a loaded 2-core machine. */
const WAIT_MS = 90_000;

const cases: FrontendCase[] = [
  // What ComfyUI 0.3.64 pins (requirements.txt), on the 0.3.64 profile.
  { version: '1.27.10', profile: '0.3.64', queueButton: 'Queue (q)', imageSize: [512, 512] },
  // A current frontend needs the jobs API for its queue and assets panel: the `current` profile.
  { version: '1.58.1', profile: 'current', queueButton: 'Assets (a)', imageSize: [1024, 1024] },
];

function frontendOrSkip(version: string, ctx: { skip(note?: string): void }): FoundFrontend | undefined {
  try {
    return findFrontend(version);
  } catch (error) {
    const why = `${(error as Error).message}`;
    if (strict) throw new Error(`COMFY_CHAOS_STRICT=1 and comfyui-frontend-package ${version} is not installed: ${why}`);
    ctx.skip(why);
    return undefined;
  }
}

/** What went wrong on the page that the simulator could have caused. */
interface Problems {
  failedRequests: string[];
  consoleErrors: string[];
  pageErrors: string[];
}

function watch(page: Page, origin: string, testCase: FrontendCase): Problems {
  const problems: Problems = { failedRequests: [], consoleErrors: [], pageErrors: [] };
  const misses = expectedMisses(testCase);
  const expected = (url: string) => misses.some((miss) => miss.url.test(url));
  page.on('response', (response) => {
    const url = response.url();
    if (url.startsWith(origin) && response.status() >= 400 && !expected(url)) problems.failedRequests.push(`${response.status()} ${response.request().method()} ${url}`);
  });
  page.on('requestfailed', (request) => {
    const url = request.url();
    // Aborted after a response (a stylesheet 404, a body nobody read) is the browser's business; no response at all is ours.
    if (url.startsWith(origin) && !expected(url) && !request.failure()?.errorText.includes('ERR_ABORTED')) {
      problems.failedRequests.push(`${request.failure()?.errorText} ${request.method()} ${url}`);
    }
  });
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    const where = message.location().url;
    // Requests to outside hosts are blocked by this test; responses of the simulator are judged above.
    if (text.includes('ERR_BLOCKED_BY_CLIENT')) return;
    if (text.startsWith('Failed to load resource') && where.startsWith(origin)) return;
    problems.consoleErrors.push(text.slice(0, 500));
  });
  page.on('pageerror', (error) => {
    if (!isExpectedPageError(testCase, error)) problems.pageErrors.push((error.stack ?? error.message).slice(0, 800));
  });
  return problems;
}

async function openFrontend(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/`, { timeout: WAIT_MS });
  await page.waitForFunction(() => ((window as unknown as { app?: { graph?: { nodes?: unknown[] } } }).app?.graph?.nodes?.length ?? 0) > 0, null, {
    timeout: WAIT_MS,
    polling: 200,
  });
  await page.getByRole('button', { name: 'Run', exact: true }).first().waitFor({ timeout: WAIT_MS });
}

interface HistoryReply {
  [promptId: string]: { status?: { completed?: boolean }; outputs?: Record<string, { images?: { filename: string; type: string }[] }> };
}

async function history(url: string): Promise<HistoryReply> {
  return (await (await fetch(`${url}/api/history`)).json()) as HistoryReply;
}

/** The output images of completed prompts, as /history lists them. */
function savedImages(reply: HistoryReply): string[] {
  return Object.values(reply)
    .filter((entry) => entry.status?.completed)
    .flatMap((entry) => Object.values(entry.outputs ?? {}).flatMap((output) => output.images ?? []))
    .filter((image) => image.type === 'output')
    .map((image) => image.filename);
}

/** The sampler's progress as the canvas draws it (LGraphNode.progress), sampled until the job's history is written. */
async function runAndWatchProgress(page: Page, url: string): Promise<{ progress: number[]; images: string[] }> {
  await page.getByRole('button', { name: 'Run', exact: true }).first().click();
  const progress: number[] = [];
  const deadline = Date.now() + WAIT_MS;
  let images: string[] = [];
  while (Date.now() < deadline && images.length === 0) {
    const value = await page.evaluate(() => {
      const app = (window as unknown as { app: { graph: { nodes: { type: string; progress?: number }[] } } }).app;
      return app.graph.nodes.find((node) => node.type === 'KSampler')?.progress;
    });
    if (typeof value === 'number') progress.push(value);
    images = savedImages(await history(url));
    await page.waitForTimeout(50);
  }
  return { progress, images };
}

describe('the official ComfyUI frontend on the simulator (headless Chromium)', () => {
  let browser: Browser | undefined;
  let sim: Simulator | undefined;

  afterEach(async () => {
    await browser?.close();
    browser = undefined;
    await sim?.close();
    sim = undefined;
  });

  it.for(cases)('frontend $version on ComfyUI $profile: loads, runs the default graph, keeps a setting and a saved workflow', { timeout: 420_000 }, async (testCase, ctx) => {
    requireChromium(ctx);
    const frontend = frontendOrSkip(testCase.version, ctx);
    if (!frontend) return;
    mkdirSync(reportDir, { recursive: true });
    const shot = (page: Page, step: string) => page.screenshot({ path: `${reportDir}frontend-${testCase.version}-${step}.png` });

    const served = frontendRoutes(frontend.staticDir);
    sim = new Simulator({ seed: 3, profile: findComfyuiProfile(testCase.profile), routes: served.routes, fallbackRoutes: served.fallbackRoutes });
    const { url } = await sim.listen({ host: '127.0.0.1', port: 0 });
    const origin = new URL(url).origin;
    // A returning user: the new-user template browser would cover the default graph.
    await fetch(`${url}/api/settings/Comfy.TutorialCompleted`, { method: 'POST', body: 'true' });

    browser = await launchChromium(WAIT_MS);
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.route((target) => target.origin !== origin, (route) => route.abort('blockedbyclient'));
    const problems = watch(page, origin, testCase);

    await openFrontend(page, url);
    await shot(page, '1-loaded');
    const nodeTypes = await page.evaluate(() => (window as unknown as { app: { graph: { nodes: { type: string }[] } } }).app.graph.nodes.map((node) => node.type));
    expect(nodeTypes).toContain('KSampler');
    expect(nodeTypes).toContain('SaveImage');

    // Run: the sampler's progress bar moves, the job completes, its image shows in the sidebar.
    const { progress, images } = await runAndWatchProgress(page, url);
    await shot(page, '2-ran');
    expect(progress.some((value) => value > 0 && value < 1), `KSampler progress seen: ${progress.join(', ')}`).toBe(true);
    expect(images.length, 'the job completed with an output image in /history').toBeGreaterThan(0);
    // The saved PNG has the size of the graph's empty latent (IHDR: width and height at bytes 16 and 20).
    const png = new DataView(await (await fetch(`${url}/api/view?filename=${encodeURIComponent(images[0])}&type=output`)).arrayBuffer());
    expect([png.getUint32(16), png.getUint32(20)]).toEqual(testCase.imageSize);
    await page.getByRole('button', { name: testCase.queueButton }).first().click();
    await page.locator(`img[src*="${encodeURIComponent(images[0])}"], img[src*="${images[0]}"]`).first().waitFor({ timeout: WAIT_MS });
    await shot(page, '3-sidebar');

    // A setting changed in the UI (the canvas's Hide Links button) and a saved workflow survive a reload.
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Hide Links' }).first().click();
    // Keys go to the canvas once it has been clicked (an empty spot near the bottom edge).
    await page.mouse.click(450, 870);
    await page.keyboard.press('Control+s');
    const nameInput = page.locator('[role="dialog"] input').first();
    await nameInput.waitFor({ timeout: WAIT_MS });
    await nameInput.fill('cc-saved-flow');
    await nameInput.press('Enter');
    const saved = Date.now() + WAIT_MS;
    while (Date.now() < saved) {
      const listing = await fetch(`${url}/api/userdata?dir=workflows`);
      if (listing.ok && ((await listing.json()) as string[]).includes('cc-saved-flow.json')) break;
      await page.waitForTimeout(100);
    }
    const settings = (await (await fetch(`${url}/api/settings`)).json()) as Record<string, unknown>;
    expect(Object.keys(settings)).toContain('Comfy.LinkRenderMode');

    await page.reload({ timeout: WAIT_MS });
    await openFrontend(page, url);
    await page.getByRole('button', { name: 'Show Links' }).first().waitFor({ timeout: WAIT_MS });
    await page.getByRole('button', { name: 'Workflows (w)' }).first().click();
    await page.locator('text=cc-saved-flow >> visible=true').first().waitFor({ timeout: WAIT_MS });
    await shot(page, '4-after-reload');

    expect(problems.failedRequests, 'API requests the simulator failed').toEqual([]);
    expect(problems.consoleErrors, 'console errors').toEqual([]);
    expect(problems.pageErrors, 'uncaught errors on the page').toEqual([]);
  });

  it('a fault of the scenario acts on the frontend socket: a terminate mid-sampling, the frontend reconnects and shows the image', { timeout: 300_000 }, async (ctx) => {
    requireChromium(ctx);
    const testCase = cases[0];
    const frontend = frontendOrSkip(testCase.version, ctx);
    if (!frontend) return;
    mkdirSync(reportDir, { recursive: true });
    const served = frontendRoutes(frontend.staticDir);
    sim = new Simulator({
      seed: 4,
      keepTrace: true,
      routes: served.routes,
      fallbackRoutes: served.fallbackRoutes,
      faults: [{ type: 'terminate', at: { on: 'message', type: 'progress', occurrence: 3 }, label: 'terminate mid-sampling' }],
    });
    const { url } = await sim.listen({ host: '127.0.0.1', port: 0 });
    const origin = new URL(url).origin;
    await fetch(`${url}/api/settings/Comfy.TutorialCompleted`, { method: 'POST', body: 'true' });
    browser = await launchChromium(WAIT_MS);
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.route((target) => target.origin !== origin, (route) => route.abort('blockedbyclient'));
    await openFrontend(page, url);
    const { images } = await runAndWatchProgress(page, url);
    expect(images.length).toBeGreaterThan(0);
    const trace = sim.trace;
    const fired = trace.findIndex((event) => event.kind === 'fault');
    expect(fired, 'the terminate fired').toBeGreaterThanOrEqual(0);
    expect(trace.slice(fired).some((event) => event.kind === 'ws_close'), 'the socket was dropped').toBe(true);
    const reconnect = trace.slice(fired).find((event) => event.kind === 'ws_connect');
    expect(reconnect, 'the frontend opened a new socket after the drop').toBeDefined();
    await page.getByRole('button', { name: testCase.queueButton }).first().click();
    await page.locator(`img[src*="${encodeURIComponent(images[0])}"], img[src*="${images[0]}"]`).first().waitFor({ timeout: WAIT_MS });
    await page.screenshot({ path: `${reportDir}frontend-${testCase.version}-after-terminate.png` });
  });
});
