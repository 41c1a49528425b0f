/**
 * What the browser tests of `comfy-chaos serve --frontend` share (frontend-chaos.test.ts,
 * frontend-nodes.test.ts): the frontend served by the CLI as a user starts it, a page with
 * outside hosts blocked, and waits bounded in real time.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { findFrontend } from '../../src/simulator/index.ts';
import { serve } from '../integration/cli/serve-process.ts';
import { launchChromium, requireChromium, strict } from './chromium.ts';

export const reportDir = fileURLToPath(new URL('../../reports/browser/', import.meta.url));
/** Upper bound on each wait in the browser (real time); the frontend is a large app on a loaded 2-core machine. */
export const WAIT_MS = 90_000;
/** The frontend ComfyUI 0.3.64 pins. */
export const PINNED_FRONTEND = '1.27.10';

/** Skips (or, under COMFY_CHAOS_STRICT=1, fails) when Chromium or the frontend is not installed; true when the test can go on. */
export function canRunFrontend(ctx: { skip(note?: string): void }, version = PINNED_FRONTEND): boolean {
  requireChromium(ctx);
  try {
    findFrontend(version);
    return true;
  } catch (error) {
    if (strict) throw new Error(`COMFY_CHAOS_STRICT=1 and comfyui-frontend-package ${version} is not installed: ${(error as Error).message}`);
    ctx.skip((error as Error).message);
    return false;
  }
}

/**
 * `comfy-chaos serve --frontend <version> ...args` with a browser page open on it while `use`
 * runs; the server is stopped (Ctrl-C) and the browser closed afterwards, whatever happens.
 */
export async function withServedFrontend(args: string[], use: (page: Page, url: string) => Promise<void>, maxMs = 400_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  mkdirSync(reportDir, { recursive: true });
  let failure: unknown;
  const run = await serve(['--frontend', PINNED_FRONTEND, ...args], async (url) => {
    let browser: Browser | undefined;
    try {
      // A returning user: the new-user template browser would cover the default graph.
      await fetch(`${url}/api/settings/Comfy.TutorialCompleted`, { method: 'POST', body: 'true' });
      browser = await launchChromium(WAIT_MS);
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const origin = new URL(url).origin;
      await page.route((target) => target.origin !== origin, (route) => route.abort('blockedbyclient'));
      await openFrontend(page, url);
      await use(page, url);
    } catch (error) {
      failure = error;
    } finally {
      await browser?.close();
    }
  }, maxMs);
  if (failure) throw failure;
  return run;
}

/** Opens the frontend and waits until its graph is loaded and Run can be pressed. */
export async function openFrontend(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/`, { timeout: WAIT_MS });
  await page.waitForFunction(() => ((window as unknown as { app?: { graph?: { nodes?: unknown[] } } }).app?.graph?.nodes?.length ?? 0) > 0, null, {
    timeout: WAIT_MS,
    polling: 200,
  });
  await runButton(page).waitFor({ timeout: WAIT_MS });
}

export const runButton = (page: Page) => page.getByRole('button', { name: 'Run', exact: true }).first();

type History = Record<string, { status?: { completed?: boolean; status_str?: string }; prompt?: unknown[]; outputs?: Record<string, { images?: { filename: string; type: string }[] }> }>;

/** Polls GET /api/history until `done` holds for it or {@link WAIT_MS} passes; returns the last reply. */
export async function waitForHistory(url: string, done: (history: History) => boolean): Promise<History> {
  const deadline = Date.now() + WAIT_MS;
  let history: History = {};
  while (Date.now() < deadline) {
    history = (await (await fetch(`${url}/api/history`)).json()) as History;
    if (done(history)) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return history;
}

/** The output images of the completed prompts in a /history reply. */
export function savedImages(history: History): string[] {
  return Object.values(history)
    .filter((entry) => entry.status?.completed)
    .flatMap((entry) => Object.values(entry.outputs ?? {}).flatMap((output) => output.images ?? []))
    .filter((image) => image.type === 'output')
    .map((image) => image.filename);
}
