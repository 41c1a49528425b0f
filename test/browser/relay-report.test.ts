/**
 * A relay run's report in headless Chromium (issue 7: "the same reports, timelines with upstream
 * and downstream lanes"): the reference relay runs 8.10 (a user's browser socket dropped
 * mid-job) for real, and the timeline of its result shows the browsers in the downstream lane,
 * under the upstream lanes, with the drop and the delivery in the wire log.
 *
 * Needs Debian's `chromium`; skipped without it unless `COMFY_CHAOS_STRICT=1` (CI).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executePlan } from '../../src/harness/run-plan.ts';
import type { ScenarioResult } from '../../src/harness/result.ts';
import { findScenarios } from '../../src/scenarios/catalogue/index.ts';
import { chromiumMissing, launchChromium, requireChromium } from './chromium.ts';

const WAIT_MS = 20_000;
const sink = { write: () => true } as unknown as NodeJS.WritableStream;

describe('a relay report in a browser', () => {
  let browser: Browser | undefined;
  let page: Page;
  let results: ScenarioResult[] = [];
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    if (chromiumMissing) return;
    const reportDir = join(mkdtempSync(join(tmpdir(), 'cc-relay-html-')), 'report');
    results = await executePlan(
      { scenarios: findScenarios(['8.10']), clients: [], relays: ['reference-socketio'], transport: 'network', seed: 1, concurrency: 1, reportDir, strict: false },
      sink,
    );
    browser = await launchChromium(WAIT_MS);
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(WAIT_MS);
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(`pageerror: ${error.message}`));
    await page.goto(`${pathToFileURL(join(reportDir, 'index.html')).href}#${encodeURIComponent('8.10@reference-socketio')}`);
    await page.waitForSelector('html[data-ready="1"]');
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('shows the relay\'s result with the browsers in a downstream lane under the upstream lanes', async (ctx) => {
    if (chromiumMissing) requireChromium(ctx);
    expect(results.map((r) => [r.scenario.id, r.client, r.verdict])).toEqual([['8.10', 'reference-socketio', 'pass']]);
    expect(await page.locator('#detail h2').textContent()).toBe('8.10 relay-browser-drop');
    const lanes = await page.locator('#timeline .tl-labels div[title]').allTextContents();
    expect(lanes.at(-1)).toBe('downstream');
    expect(lanes.indexOf('connections')).toBeLessThan(lanes.indexOf('downstream'));
    // The wire log: the harness dropping alice's socket, her browser reconnecting, and her result arriving.
    const labels = await page.locator('#wire-log tbody td.label').allTextContents();
    expect(labels).toContain('alice: browser drop');
    expect(labels.filter((l) => l === 'alice: connected').length).toBeGreaterThanOrEqual(2);
    expect(labels).toContain('alice: completed');
    expect(consoleErrors).toEqual([]);
  });
});
