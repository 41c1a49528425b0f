/**
 * Chaos in the real UI (issue 17): `serve --frontend 1.27.10 --scenario examples/frontend-chaos.yaml`
 * applies the scenario's faults to what the frontend itself receives, in headless Chromium: a 500
 * on its POST /api/prompt and a BOM before its `executed` frame, both recorded in the trace.
 * Skipped without Chromium or the frontend, unless COMFY_CHAOS_STRICT=1 (CI).
 * Screenshots: reports/browser/frontend-1.27.10-chaos-*.png.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../src/protocol/index.ts';
import { canRunFrontend, PINNED_FRONTEND, reportDir, runButton, savedImages, WAIT_MS, waitForHistory, withServedFrontend } from './frontend-serve.ts';

const scenario = join(import.meta.dirname, '../../examples/frontend-chaos.yaml');
const dir = mkdtempSync(join(tmpdir(), 'cc-frontend-chaos-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('serve --scenario faults on the official frontend (headless Chromium)', () => {
  it('a 500 on POST /prompt shows the frontend\'s error dialog; a BOM before executed is dropped by its socket handler; the trace has both', { timeout: 450_000 }, async (ctx) => {
    if (!canRunFrontend(ctx)) return;
    const trace = join(dir, 'trace.jsonl');
    const shot = `${reportDir}frontend-${PINNED_FRONTEND}-chaos`;
    const warnings: string[] = [];
    let images: string[] = [];
    let saveOutputs: { outputs: unknown; known: string[] } | undefined;
    const run = await withServedFrontend(['--scenario', scenario, '--trace', trace], async (page, url) => {
      page.on('console', (message) => {
        if (message.type() === 'warning') warnings.push(message.text());
      });
      // First Run: the 500 fault answers it. The frontend parses the text body as JSON and says so in its dialog.
      await runButton(page).click();
      const dialog = page.locator('[role="dialog"]', { hasText: 'Prompt execution failed' }).first();
      await dialog.waitFor({ timeout: WAIT_MS });
      expect(await dialog.innerText()).toMatch(/JSON/);
      await page.screenshot({ path: `${shot}-500-dialog.png` });
      expect(Object.keys(await waitForHistory(url, () => true)), 'nothing was queued').toEqual([]);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden', timeout: WAIT_MS });

      // Second Run: accepted; its first executed frame comes with a BOM.
      await runButton(page).click();
      images = savedImages(await waitForHistory(url, (history) => savedImages(history).length > 0));
      const deadline = Date.now() + WAIT_MS;
      while (Date.now() < deadline && !warnings.some((w) => w.startsWith('Unhandled message:'))) await page.waitForTimeout(100);
      // The dropped frame was SaveImage's executed: the node has no output to preview, though the job has an image.
      saveOutputs = await page.evaluate(() => {
        const app = (window as unknown as { app: { graph: { nodes: { id: number; type: string }[] }; nodeOutputs: Record<string, unknown> } }).app;
        const save = app.graph.nodes.find((node) => node.type === 'SaveImage')!;
        return { outputs: app.nodeOutputs[String(save.id)] ?? null, known: Object.keys(app.nodeOutputs) };
      });
      await page.screenshot({ path: `${shot}-after-bom.png` });
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/faults: 2 from .*frontend-chaos\.yaml/);
    expect(images.length, 'the second Run completed with an image').toBeGreaterThan(0);
    const unhandled = warnings.filter((w) => w.startsWith('Unhandled message:'));
    expect(unhandled.length, `console warnings: ${warnings.join(' | ')}`).toBeGreaterThan(0);
    expect(unhandled[0]).toContain('\uFEFF{"type": "executed"');
    expect(saveOutputs?.outputs, `node outputs the frontend holds: ${saveOutputs?.known.join(', ')}`).toBeNull();

    const events = readFileSync(trace, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as TraceEvent);
    expect(events.filter((e) => e.kind === 'fault').map((e) => e.kind === 'fault' && e.faultType)).toEqual(['http_status', 'bom']);
    const posts = events.filter((e): e is Extract<TraceEvent, { kind: 'http' }> => e.kind === 'http' && e.method === 'POST' && e.path === '/prompt');
    expect(posts.map((e) => [e.status, e.fault])).toEqual([[500, 'http_status 500'], [200, undefined]]);
    const sentTexts = events.flatMap((e) => (e.kind === 'ws_send' && 'text' in e.frame ? [e.frame.text] : []));
    expect(sentTexts.filter((text) => text.startsWith('\uFEFF')).map((text) => text.startsWith('\uFEFF{"type": "executed"'))).toEqual([true]);
  });
});
