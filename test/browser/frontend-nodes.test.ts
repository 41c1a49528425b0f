/**
 * A node file's class in the real UI (issue 17): with `serve --frontend 1.27.10 --nodes
 * examples/custom-nodes.yaml`, frontend 1.27.10 knows `MyPack.Blur` from /object_info, a node of
 * that type is added to the default graph between VAE Decode and Save Image, and Run executes it
 * with its progress steps on the node. Skipped without Chromium or the frontend, unless
 * COMFY_CHAOS_STRICT=1 (CI). Screenshot: reports/browser/frontend-1.27.10-custom-node.png.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canRunFrontend, PINNED_FRONTEND, reportDir, runButton, savedImages, WAIT_MS, waitForHistory, withServedFrontend } from './frontend-serve.ts';

const nodes = join(import.meta.dirname, '../../examples/custom-nodes.yaml');

interface GraphNode {
  id: number;
  type: string;
  title: string;
  progress?: number;
  pos: [number, number];
  connect(slot: number, target: GraphNode, targetSlot: number): unknown;
}
interface PageGlobals {
  app: { graph: { nodes: GraphNode[]; add(node: GraphNode): void; getNodeById(id: number): GraphNode } };
  LiteGraph: { createNode(type: string): GraphNode | null };
}

describe('a node file\'s class in the official frontend (headless Chromium)', () => {
  it('is added to the graph by its type and runs with its progress steps', { timeout: 450_000 }, async (ctx) => {
    if (!canRunFrontend(ctx)) return;
    let added: { id: number; title: string } | null = null;
    let progress: { value: number; max: number; node: string; bar: number | undefined }[] = [];
    let ranClasses: string[] = [];
    let images: string[] = [];
    const run = await withServedFrontend(['--nodes', nodes], async (page, url) => {
      added = await page.evaluate(() => {
        const { app, LiteGraph } = window as unknown as PageGlobals;
        const blur = LiteGraph.createNode('MyPack.Blur');
        if (!blur) return null;
        blur.pos = [880, 560];
        app.graph.add(blur);
        const decode = app.graph.nodes.find((node) => node.type === 'VAEDecode')!;
        const save = app.graph.nodes.find((node) => node.type === 'SaveImage')!;
        decode.connect(0, blur, 0);
        blur.connect(0, save, 0);
        return { id: blur.id, title: blur.title };
      });
      if (!added) return;
      // Each `progress` event the frontend's api dispatches, with the node's progress bar
      // (LGraphNode.progress) read just after the frontend's own listener set it: recorded in the
      // page, event by event, so a slow round trip to the test cannot miss Blur's 320 ms of steps.
      await page.evaluate((id) => {
        const seen: { value: number; max: number; node: string; bar: number | undefined }[] = [];
        (window as unknown as { ccBlurProgress: typeof seen }).ccBlurProgress = seen;
        const { api } = (window as unknown as { comfyAPI: { api: { api: EventTarget } } }).comfyAPI.api;
        api.addEventListener('progress', (event) => {
          const { value, max, node } = (event as CustomEvent<{ value: number; max: number; node: string }>).detail;
          seen.push({ value, max, node: String(node), bar: (window as unknown as PageGlobals).app.graph.getNodeById(id)?.progress });
        });
      }, (added as { id: number }).id);
      await runButton(page).click();
      const deadline = Date.now() + WAIT_MS;
      while (Date.now() < deadline && images.length === 0) {
        const history = await waitForHistory(url, () => true);
        images = savedImages(history);
        ranClasses = Object.values(history).flatMap((entry) => Object.values((entry.prompt?.[2] ?? {}) as Record<string, { class_type: string }>).map((node) => node.class_type));
        await page.waitForTimeout(30);
      }
      progress = await page.evaluate(() => (window as unknown as { ccBlurProgress: typeof progress }).ccBlurProgress);
      await page.screenshot({ path: `${reportDir}frontend-${PINNED_FRONTEND}-custom-node.png` });
    });
    expect(run.code, run.stderr).toBe(0);
    expect(added, 'LiteGraph.createNode made a MyPack.Blur node').toMatchObject({ title: 'Blur (my pack)' });
    expect(ranClasses).toContain('MyPack.Blur');
    expect(images.length, 'the job completed with an image').toBeGreaterThan(0);
    // Its 8 declared steps reach the frontend, and its progress bar moves in eighths.
    const blurId = String((added as unknown as { id: number }).id);
    expect(progress.filter((p) => p.node === blurId).map((p) => [p.value, p.max, p.bar])).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((k) => [k, 8, k / 8]));
  });
});
