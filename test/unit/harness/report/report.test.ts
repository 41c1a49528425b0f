import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readReport, reportFormats, reportWriters, traceFileName, writeReport, type ReportMeta, type ResultsFile } from '../../../../src/harness/report/index.ts';
import { NAIVE, sampleResults } from './fixtures.ts';

const meta: ReportMeta = { run: 'unit', seed: 42, transport: 'network', startedAt: '2026-01-01T00:00:00.000Z', command: 'comfy-chaos run --client reference' };
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'cc-report-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const entities: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
function decode(text: string): string {
  return text.replace(/&(#\d+|#x[0-9a-f]+|\w+);/gi, (whole, name: string) => {
    if (name.startsWith('#x')) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
    if (!(name in entities)) throw new Error(`unknown entity ${whole}`);
    return entities[name]!;
  });
}

/** A minimal XML parser: enough to prove junit.xml is well-formed and to read it back. */
function parseXml(xml: string): XmlElement {
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  if (/&(?!(#\d+|#x[0-9a-f]+|lt|gt|amp|quot|apos);)/i.test(body)) throw new Error('a bare & in the document');
  const root: XmlElement = { name: '#root', attrs: {}, children: [], text: '' };
  const stack = [root];
  const tag = /<(\/?)([\w:-]+)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let match: RegExpExecArray | null;
  let at = 0;
  while (at < body.length) {
    tag.lastIndex = at;
    match = tag.exec(body);
    if (!match) throw new Error(`not well-formed at ${at}: ${body.slice(at, at + 60)}`);
    at = tag.lastIndex;
    const [, close, name, attrText, selfClose, text] = match;
    if (text !== undefined) {
      stack.at(-1)!.text += decode(text);
    } else if (close) {
      const open = stack.pop()!;
      if (open.name !== name) throw new Error(`</${name}> closes <${open.name}>`);
    } else {
      const attrs: Record<string, string> = {};
      for (const [, k, v] of (attrText ?? '').matchAll(/([\w:-]+)="([^"]*)"/g)) attrs[k!] = decode(v!);
      const element: XmlElement = { name: name!, attrs, children: [], text: '' };
      stack.at(-1)!.children.push(element);
      if (!selfClose) stack.push(element);
    }
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack.at(-1)!.name}>`);
  if (root.children.length !== 1) throw new Error('not exactly one root element');
  return root.children[0]!;
}

const all = (e: XmlElement, name: string): XmlElement[] => [...(e.name === name ? [e] : []), ...e.children.flatMap((c) => all(c, name))];

describe('writeReport', () => {
  it('writes every format and a trace per result, and returns the paths', () => {
    const dir = tempDir();
    const results = sampleResults();
    const written = writeReport(dir, results, meta);
    const names = readdirSync(dir).sort();
    expect(names).toEqual(expect.arrayContaining(['index.html', 'junit.xml', 'results.json', 'summary.md']));
    expect(names.filter((n) => n.startsWith('trace-'))).toHaveLength(results.length);
    expect(written.map((p) => p.slice(dir.length + 1)).sort()).toEqual(names);
    expect(Object.keys(reportWriters)).toEqual(reportFormats);
  });

  it('writes only the formats asked for', () => {
    const dir = tempDir();
    writeReport(dir, sampleResults(), meta, ['junit']);
    expect(readdirSync(dir)).toEqual(['junit.xml']);
  });

  it('names the trace of a command-line client with file-name characters, distinctly', () => {
    const a = traceFileName({ scenario: { id: '2.3', name: 'x', purpose: '' }, client: NAIVE });
    const b = traceFileName({ scenario: { id: '2.3', name: 'x', purpose: '' }, client: 'node clients/naive-no-reconnect.js --strict' });
    expect(a).toMatch(/^trace-2\.3-node_clients_naive-no-reconnect\.js-[0-9a-f]{8}\.jsonl$/);
    expect(a).not.toBe(b);
    expect(traceFileName({ scenario: { id: '1.1', name: 'x', purpose: '' }, client: 'reference' })).toBe('trace-1.1-reference.jsonl');
  });
});

describe('junit.xml', () => {
  const dir = () => {
    const d = tempDir();
    writeReport(d, sampleResults(), meta, ['junit']);
    return parseXml(readFileSync(join(d, 'junit.xml'), 'utf8'));
  };

  it('is well-formed, with one testcase per scenario x client and the counts of each verdict', () => {
    const root = dir();
    expect(root.name).toBe('testsuites');
    expect(root.attrs).toMatchObject({ tests: '8', failures: '1', skipped: '1', errors: '0' });
    const cases = all(root, 'testcase');
    expect(cases).toHaveLength(8);
    expect(all(root, 'failure')).toHaveLength(1);
    expect(all(root, 'skipped')).toHaveLength(1);
    expect(all(root, 'testsuite').map((s) => s.attrs.name)).toEqual(['reference', NAIVE]);
    expect(new Set(cases.map((c) => c.attrs.classname))).toEqual(new Set(['reference', NAIVE]));
    expect(cases.map((c) => c.attrs.name)).toContain('2.3 terminate-between-executing-and-executed');
  });

  it('names the failed invariant in the message and gives findings, evidence and replay in the body', () => {
    const failed = all(dir(), 'testcase').find((c) => all(c, 'failure').length)!;
    expect(failed.attrs).toMatchObject({ classname: NAIVE, name: '2.3 terminate-between-executing-and-executed' });
    const failure = all(failed, 'failure')[0]!;
    expect(failure.attrs.type).toBe('no-lost-completion');
    expect(failure.attrs.message).toMatch(/^no-lost-completion \(job j1\): succeeded on the server.*trace lines \d+/);
    expect(failure.text).toContain('no-hang (job j1): still pending when the client exited; trace lines');
    expect(failure.text).toContain('replay: comfy-chaos run --client "node clients/naive-no-reconnect.js" --scenario 2.3 --seed 42');
  });

  it('skips with the reason, passes a degraded run with a note, and escapes what it quotes', () => {
    const cases = all(dir(), 'testcase');
    const skipped = cases.find((c) => all(c, 'skipped').length)!;
    expect(all(skipped, 'skipped')[0]!.attrs.message).toMatch(/^no Toxiproxy provider/);
    const degraded = cases.find((c) => c.attrs.classname === 'reference' && c.attrs.name.startsWith('4.2'))!;
    expect(all(degraded, 'failure')).toHaveLength(0);
    expect(all(degraded, 'system-out')[0]!.text).toMatch(/^degraded: j1 reported 6.1 s after/);
    // An informational finding on a pass, with <, & and quotes in it.
    const informational = cases.find((c) => c.attrs.name.startsWith('3.2'))!;
    expect(all(informational, 'system-out')[0]!.text).toContain('recovered only by polling <history> & "retries"');
  });
});

describe('results.json', () => {
  it('round-trips: read back with its traces it equals what was written', () => {
    const dir = tempDir();
    const results = sampleResults();
    writeReport(dir, results, meta);
    const file = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as ResultsFile;
    expect(file).toMatchObject({ format: 'comfy-chaos-results', version: 1, meta, verdicts: { pass: 5, degraded: 1, fail: 1, skipped: 1 } });
    expect(file.results.every((r) => !('trace' in r) && existsSync(join(dir, r.traceFile)))).toBe(true);
    const back = readReport(dir);
    expect(back.warnings).toEqual([]);
    expect(back.meta).toEqual(meta);
    const key = (r: { scenario: { id: string }; client: string }) => `${r.scenario.id} ${r.client}`;
    const sort = <T extends { scenario: { id: string }; client: string }>(rs: T[]) => [...rs].sort((a, b) => key(a).localeCompare(key(b)));
    expect(sort(back.results)).toEqual(sort(results));
  });

  it('is refused with a clear error when it is not a comfy-chaos results file', () => {
    const dir = tempDir();
    writeReport(dir, sampleResults(), meta, ['junit']);
    expect(() => readReport(dir)).toThrow(expect.objectContaining({ code: 'CC_ERR_REPORT_NO_RESULTS', message: expect.stringContaining(`${dir} has no results.json`) }));
  });
});

describe('summary.md', () => {
  it('counts verdicts, shows the matrix, and lists the failure with its findings and replay command', () => {
    const dir = tempDir();
    writeReport(dir, sampleResults(), meta, ['summary']);
    const md = readFileSync(join(dir, 'summary.md'), 'utf8');
    expect(md).toContain('| ❌ fail | 1 |');
    expect(md).toContain('| ✅ pass | 5 |');
    expect(md).toMatch(/\| 2\.3 \| terminate-between-executing-and-executed \| ✅ pass \| ❌ fail \(no-lost-completion\) \|/);
    expect(md).toContain('### ❌ 2.3 terminate-between-executing-and-executed × node clients/naive-no-reconnect.js');
    expect(md).toContain('Failed invariant: **no-lost-completion**');
    expect(md).toMatch(/- no-lost-completion \(job j1\): succeeded on the server.*; trace lines \d+/);
    expect(md).toContain('```sh\ncomfy-chaos run --client "node clients/naive-no-reconnect.js" --scenario 2.3 --seed 42\n```');
    expect(md).toContain('## Skipped');
  });
});
