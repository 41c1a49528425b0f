/**
 * The HTML report (issue 4) in headless Chromium: index.html opened from disk (file://) loads
 * without console errors or any request beyond the file itself, the matrix has a cell per result,
 * and clicking a failing cell opens its timeline with the failing invariant marked. A screenshot
 * is kept in reports/browser/html-report.png and the report itself in reports/browser/html-report/.
 *
 * Needs Debian's `chromium` (`apt-get install chromium`); skipped without it unless
 * `COMFY_CHAOS_STRICT=1` (CI), where a missing browser fails the test.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { chromiumMissing, launchChromium, requireChromium } from './chromium.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReport } from '../../src/harness/report/index.ts';
import { NAIVE, sampleResults } from '../unit/harness/report/fixtures.ts';

const browserDir = fileURLToPath(new URL('../../reports/browser/', import.meta.url));
const reportDir = `${browserDir}html-report`;
/** Upper bound on every wait in the browser (real time). */
const WAIT_MS = 20_000;

const missing = chromiumMissing;

describe('HTML report in a browser (headless Chromium, file://)', () => {
  const results = sampleResults();
  let browser: Browser | undefined;
  let page: Page;
  const consoleErrors: string[] = [];
  const requests: string[] = [];

  beforeAll(async () => {
    if (missing) return;
    rmSync(reportDir, { recursive: true, force: true });
    writeReport(reportDir, results, {
      run: 'browser-check',
      seed: 42,
      transport: 'network',
      startedAt: '2026-01-01T00:00:00.000Z',
      command: `comfy-chaos run --client reference --client "${NAIVE}"`,
    });
    // launch() runs Chromium on a fresh temporary profile (user-data dir) and deletes it on close.
    browser = await launchChromium(WAIT_MS);
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(WAIT_MS);
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(`pageerror: ${error.message}`));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(`${reportDir}/index.html`).href);
    await page.waitForSelector('html[data-ready="1"]');
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('loads from disk with no console errors and no request beyond the file', (ctx) => {
    if (missing) {
      requireChromium(ctx);
    }
    expect(consoleErrors).toEqual([]);
    expect(requests.filter((url) => !url.startsWith('file:') && !url.startsWith('data:'))).toEqual([]);
  });

  it('has one matrix cell per result, coloured by verdict', async (ctx) => {
    if (missing) {
      requireChromium(ctx);
    }
    expect(await page.locator('#matrix .cell').count()).toBe(results.length);
    for (const verdict of ['pass', 'degraded', 'fail', 'skipped'] as const) {
      expect(await page.locator(`#matrix .cell.v-${verdict}`).count()).toBe(results.filter((r) => r.verdict === verdict).length);
    }
    const colours = await page.locator('#matrix .cell').evaluateAll((cells) => new Set(cells.map((c) => getComputedStyle(c).backgroundColor)).size);
    expect(colours).toBe(4);
    expect(await page.locator('#matrix tr.group th').allTextContents()).toEqual(['1 Frames', '2 Connection loss', '3 HTTP', '4 Network', '7 Field bugs']);
  });

  it('opens the timeline of a failing cell with the failing invariant marked, and its wire log', async (ctx) => {
    if (missing) {
      requireChromium(ctx);
    }
    // Another result first, so the click is what opens the failure.
    await page.locator('#matrix .cell.v-pass').first().click();
    await expect.poll(() => page.locator('#detail h2').textContent()).toBe('1.1 bom-garbage-and-heartbeats');
    await page.locator('#matrix .cell.v-fail').click();
    await expect.poll(() => page.locator('#detail h2').textContent()).toBe('2.3 terminate-between-executing-and-executed');
    expect(await page.locator('#detail .d-head .client').textContent()).toBe(`× ${NAIVE}`);
    expect(await page.locator('#detail .tag.failing').first().textContent()).toBe('failing invariant');

    const failed = results.find((r) => r.verdict === 'fail')!;
    expect(await page.locator('#timeline .tl-mark.failing').first().textContent()).toMatch(/^✖ no-lost-completion \(job j1\), trace lines /);
    expect(await page.locator('#timeline svg .tl-inv').allTextContents()).toEqual(['✖ no-lost-completion (job j1)', '✖ no-hang (job j1)']);
    expect(await page.locator('#timeline svg rect.m').count()).toBe(failed.trace.length);
    const evidence = new Set(failed.findings.flatMap((f) => f.evidence));
    expect(await page.locator('#timeline svg rect.m[stroke="#111827"]').count()).toBe(evidence.size);
    expect(await page.locator('#timeline .tl-labels div[title]').allTextContents()).toEqual(['faults', 'connections', 'server frames', 'http', 'server jobs', 'client', 'downstream']);

    // The wire log: a row per event, evidence highlighted, filterable by kind.
    expect(await page.locator('#wire-log tbody tr').count()).toBe(failed.trace.length);
    expect(await page.locator('#wire-log tbody tr.ev').count()).toBe(evidence.size);
    const visible = () => page.locator('#wire-log tbody tr:not([hidden])').count();
    await page.locator('input[type=checkbox][data-kind="ws_close"]').uncheck();
    expect(await visible()).toBe(failed.trace.filter((e) => e.kind !== 'ws_close').length);
    // An evidence chip brings its (hidden) row back into view.
    const hiddenEvidence = failed.trace.find((e) => evidence.has(e.seq) && e.kind === 'ws_close')!;
    await page.locator(`#detail button.seq:text-is("${hiddenEvidence.seq}")`).first().click();
    expect(await visible()).toBe(failed.trace.length);
    expect(await page.locator(`#wire-log tr[data-seq="${hiddenEvidence.seq}"]`).getAttribute('class')).toContain('flash');
    expect(decodeURIComponent(await page.evaluate(() => location.hash))).toBe(`#2.3@${NAIVE}`);

    await page.evaluate(() => window.scrollTo(0, 0));
    await page.locator('#detail').evaluate((d) => (d.scrollTop = 0));
    mkdirSync(browserDir, { recursive: true });
    await page.screenshot({ path: `${browserDir}html-report.png` });
    expect(consoleErrors).toEqual([]);
  });

  it('opens the result named in the URL hash', async (ctx) => {
    if (missing) {
      requireChromium(ctx);
    }
    await page.goto(`${pathToFileURL(`${reportDir}/index.html`).href}#${encodeURIComponent('4.2@reference')}`);
    await page.waitForSelector('html[data-ready="1"]');
    expect(await page.locator('#detail .badge').textContent()).toBe('degraded');
    expect(await page.locator('#detail .reason').textContent()).toMatch(/latency bound 5 s/);
    expect(await page.locator('#matrix .cell.selected').getAttribute('data-verdict')).toBe('degraded');
    expect(consoleErrors).toEqual([]);
  });
});
