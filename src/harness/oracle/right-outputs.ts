import type { Finding } from '../result.ts';
import { canonicalJson, lines, submittedJobs } from './invariant.ts';
import { completions, type TraceFacts } from './trace-facts.ts';

const shorten = (text: string, max = 160) => (text.length > max ? `${text.slice(0, max)}…` : text);

/** Every image of every output node, as `type/subfolder/filename`, sorted: what a relay's URLs should name. */
export function outputImages(outputs: Record<string, unknown>): string[] {
  const images: string[] = [];
  for (const node of Object.values(outputs)) {
    const list = (node as { images?: unknown } | null)?.images;
    if (!Array.isArray(list)) continue;
    for (const i of list as { filename?: unknown; subfolder?: unknown; type?: unknown }[]) images.push(`${String(i.type ?? '')}/${String(i.subfolder ?? '')}/${String(i.filename)}`);
  }
  return images.sort();
}

/**
 * Right outputs: what the client reported completed with equals the server's outputs for that
 * prompt (its history entry's when the trace has them, else the success event's), compared as
 * JSON with sorted keys.
 */
export function rightOutputs(facts: TraceFacts): Finding[] {
  const findings: Finding[] = [];
  for (const job of submittedJobs(facts)) {
    for (const report of completions(job)) {
      const prompt = facts.prompts.get(report.promptId ?? job.promptId ?? '');
      if (prompt?.outcome?.event !== 'success') continue; // no-phantom's business
      const source = prompt.history?.outputs ? prompt.history : prompt.outcome;
      // Relays hand the browser image URLs, not ComfyUI's outputs: compare the images they name.
      const relay = report.images !== undefined;
      const expected = relay ? outputImages(source.outputs ?? {}).join(' ') : canonicalJson(source.outputs ?? {});
      const got = relay ? report.images!.map((i) => `${i.type}/${i.subfolder}/${i.filename}`).sort().join(' ') : canonicalJson(report.outputs ?? {});
      if (got === expected) continue;
      findings.push({
        invariant: 'right-outputs',
        job: job.id,
        message: `the ${relay ? 'images delivered' : 'outputs reported'} differ from the server's for prompt ${prompt.promptId}: reported ${shorten(got)}, server ${shorten(expected)}`,
        evidence: lines(source.seq, report.seq),
      });
    }
  }
  return findings;
}
