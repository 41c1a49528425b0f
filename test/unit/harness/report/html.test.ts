import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../../../src/protocol/index.ts';
import { htmlData, renderHtml, type HtmlData, type ReportMeta } from '../../../../src/harness/report/index.ts';
import { result, sampleResults } from './fixtures.ts';

const meta: ReportMeta = { run: 'html <unit>', seed: 1, transport: 'memory', startedAt: '2026-01-01T00:00:00.000Z', command: 'comfy-chaos run' };

function embedded(page: string): HtmlData {
  const json = /<script type="application\/json" id="cc-data">([\s\S]*?)<\/script>/.exec(page)![1]!;
  return JSON.parse(json) as HtmlData;
}

const frames = (n: number, text: (i: number) => string): TraceEvent[] =>
  Array.from({ length: n }, (_, i) => ({ kind: 'ws_send', seq: i, t: i, wall: 0, conn: 1, frame: { text: text(i) }, msgType: 'progress', promptId: 'p' }) as TraceEvent);

describe('index.html', () => {
  it('is one file that loads nothing: inline style and script, a CSP of none, no src or external href', () => {
    const page = renderHtml(sampleResults(), meta);
    expect(page).toContain(`default-src 'none'`);
    expect(page).not.toMatch(/\ssrc=/);
    expect(page).not.toMatch(/<link(?![^>]*href="data:)/);
    expect(page).toContain('<title>✖ 1 failed · comfy-chaos html &lt;unit&gt;</title>');
  });

  it('has one matrix cell per result, grouped under the scenario group titles', () => {
    const page = renderHtml(sampleResults(), meta);
    expect(page.match(/<button type="button" class="cell /g)).toHaveLength(8);
    for (const title of ['1 Frames', '2 Connection loss', '3 HTTP', '4 Network', '7 Field bugs']) expect(page).toContain(`<tr class="group"><th colspan="4">${title}</th></tr>`);
    expect(page).toContain('<small>no-lost-completion</small>');
  });

  it('embeds data that cannot close its script element', () => {
    const trace = frames(2, () => '</script><script>alert(1)</script><!--');
    const page = renderHtml([result({ id: '1.9', name: 'evil', verdict: 'pass', trace })], meta);
    const json = /<script type="application\/json" id="cc-data">([\s\S]*?)<\/script>/.exec(page)![1]!;
    expect(json).not.toContain('<');
    expect(embedded(page).results[0]!.events[0]!.x).toBe('</script><script>alert(1)</script><!--');
  });

  it('caps the events per result but keeps every evidence line, and clips frame texts', () => {
    const trace = frames(50, (i) => `${i}:`.padEnd(1000, 'x'));
    const r = result({ id: '2.1', name: 'long', verdict: 'fail', trace, findings: [{ invariant: 'exactly-once', job: 'j1', message: 'twice', evidence: [3, 45] }] });
    const data = htmlData([r], meta, { eventsPerResult: 10, textChars: 20 });
    const shown = data.results[0]!;
    expect(shown.total).toBe(50);
    expect(shown.events.map((e) => e.s)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 45]);
    expect(shown.events[0]!.x).toBe(`0:${'x'.repeat(18)}… (+980 chars)`);
    expect(shown.failed).toBe('exactly-once');
    expect(data.lanes[shown.events[0]!.l]).toBe('server frames');
  });
});
