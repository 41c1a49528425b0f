import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { rightOutputs } from '../../../../src/harness/oracle/right-outputs.ts';
import { traceFacts } from '../../../../src/harness/oracle/trace-facts.ts';
import { TraceBuilder, scenarioWith } from './trace-builder.ts';

const s = scenarioWith({}, ['j1', 'j2']);
const check = (b: TraceBuilder) => rightOutputs(traceFacts(b.events, s));

/** A PNG-looking file: the signature, then bytes that differ per seed. */
const png = (seed: number) => Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...Array.from({ length: 40 }, (_, i) => (seed * 31 + i) & 0xff)]);
const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, ...Array.from({ length: 30 }, (_, i) => i)]);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

const file1 = { filename: 'j1_00001_.png', subfolder: '', type: 'output' };
const file2 = { filename: 'j2_00001_.png', subfolder: '', type: 'output' };
const bytes1 = png(1);
const bytes2 = png(2);
const imageOutputs = (f: typeof file1) => ({ '3': { images: [f] } });

/** j1 (and j2) succeeded with one saved PNG each; j1's client reports `delivered`. */
function imageRun(delivered: unknown) {
  const b = new TraceBuilder();
  b.submit('j1');
  b.submitted('j1', 'p1');
  const success = b.prompt('success', 'p1', { outputs: imageOutputs(file1), files: [{ ...file1, sha256: sha(bytes1), bytes: bytes1.length }] });
  b.submit('j2');
  b.submitted('j2', 'p2');
  b.prompt('success', 'p2', { outputs: imageOutputs(file2), files: [{ ...file2, sha256: sha(bytes2), bytes: bytes2.length }] });
  const completed = b.completed('j1', 'p1', delivered);
  return { b, success, completed };
}

const view = (f: typeof file1, base = 'http://127.0.0.1:8188') =>
  `${base}/view?filename=${encodeURIComponent(f.filename)}&subfolder=${encodeURIComponent(f.subfolder)}&type=${f.type}`;

describe('right-outputs compares artefacts: the shapes SDKs use are accepted', () => {
  const accepted: Array<[string, unknown]> = [
    ["history's node-keyed shape", imageOutputs(file1)],
    ['the same with keys in another order', { '3': { images: [{ type: 'output', subfolder: '', filename: 'j1_00001_.png' }] } }],
    ["one node's output", { images: [file1] }],
    ['a flat list of files under any key', { files: [file1] }],
    ['a file without type or subfolder', { images: [{ filename: 'j1_00001_.png' }] }],
    ['a /view URL', { images: [view(file1)] }],
    ['a relative /api/view URL', { urls: [`/api/view?filename=j1_00001_.png&type=output&subfolder=`] }],
    ["an SDK's {type: 'url', data} entry", { images: [{ type: 'url', data: view(file1) }] }],
    ['a filename with its URL', { filename: 'j1_00001_.png', url: view(file1) }],
    ['base64 of the served file', { '3': { images: [bytes1.toString('base64')] } }],
    ['a data: URL of the served file', { images: [`data:image/png;base64,${bytes1.toString('base64')}`] }],
    ['the bytes as a JSON array', { images: [[...bytes1]] }],
    ["Node's Buffer JSON", { images: [bytes1.toJSON()] }],
  ];
  for (const [shape, delivered] of accepted) {
    it(`accepts ${shape}`, () => {
      expect(check(imageRun(delivered).b)).toEqual([]);
    });
  }

  it('accepts text outputs as a node-keyed shape, a bare list, or a string', () => {
    for (const delivered of [{ '2': { text: ['x'] } }, { text: ['x'] }, { output: 'x' }]) {
      const b = new TraceBuilder();
      b.submit('j1');
      b.submitted('j1', 'p1');
      b.success('p1', { '2': { text: ['x'] } });
      b.completed('j1', 'p1', delivered);
      expect(check(b), JSON.stringify(delivered)).toEqual([]);
    }
  });

  it("prefers the history entry's outputs when the trace has them", () => {
    const b = new TraceBuilder();
    b.submit('j1');
    b.submitted('j1', 'p1');
    b.success('p1', {});
    const history = b.prompt('history_written', 'p1', { outputs: { '2': { text: ['y'] } } });
    const completed = b.completed('j1', 'p1', {});
    expect(check(b)[0]).toMatchObject({ evidence: [history.seq, completed.seq], message: expect.stringContaining('no output of the job was delivered') });
  });
});

describe('right-outputs compares artefacts: wrong deliveries are named', () => {
  it('nothing at all, with the server line and the report', () => {
    const { b, success, completed } = imageRun({});
    expect(check(b)).toEqual([
      {
        invariant: 'right-outputs',
        job: 'j1',
        message: `the outputs reported for prompt p1 are not the server's: no output of the job was delivered (reported {}; server {"3":{"images":[{"filename":"j1_00001_.png","subfolder":"","type":"output"}]}})`,
        evidence: [success.seq, completed.seq],
      },
    ]);
  });

  it('a preview frame (JPEG bytes) instead of the saved file', () => {
    const message = check(imageRun({ images: [jpeg.toString('base64')] }).b)[0]?.message;
    expect(message).toContain('file output//j1_00001_.png is missing');
    expect(message).toContain(`a ${jpeg.length}-byte JPEG was delivered (a preview frame?)`);
  });

  it('the saved file with preview frames beside it is right (an SDK that keeps the previews in its result)', () => {
    expect(check(imageRun({ images: [view(file1), jpeg.toString('base64'), jpeg.toString('base64')] }).b)).toEqual([]);
  });

  it('several preview frames instead of the saved file are said once, counted', () => {
    const message = check(imageRun({ images: [jpeg.toString('base64'), jpeg.toString('base64'), jpeg.toString('base64')] }).b)[0]?.message;
    expect(message).toContain(`3 JPEGs of ${jpeg.length}-${jpeg.length} bytes were delivered (preview frames?) instead of the file the job saved`);
    expect(message?.match(/JPEG/g)).toHaveLength(1);
  });

  it("another job's file, by name or by bytes", () => {
    expect(check(imageRun({ images: [file2] }).b)[0]?.message).toContain("file output//j2_00001_.png is another job's (prompt p2)");
    expect(check(imageRun({ images: [bytes2.toString('base64')] }).b)[0]?.message).toContain(`${bytes2.length} bytes delivered are another job's file (prompt p2)`);
  });

  it('a stale file: the right name, other bytes', () => {
    const stale = png(9);
    const message = check(imageRun({ images: [stale.toString('base64')] }).b)[0]?.message;
    expect(message).toContain('file output//j1_00001_.png is missing');
    expect(message).toContain(`${stale.length} bytes delivered match no file the server saved for this job (a stale file?)`);
  });

  it('the right file plus a preview file the job did not save', () => {
    const message = check(imageRun({ images: [file1, { filename: 'ComfyUI_temp_abcde_00001_.png', subfolder: '', type: 'temp' }] }).b)[0]?.message;
    expect(message).toContain('file temp//ComfyUI_temp_abcde_00001_.png is not one the server saved for this job');
    expect(message).not.toContain('missing');
  });

  it('a file of the right name in the wrong subfolder or of the wrong type', () => {
    expect(check(imageRun({ images: [{ ...file1, subfolder: 'sub' }] }).b)[0]?.message).toContain('file output//j1_00001_.png is missing');
    expect(check(imageRun({ images: [view({ ...file1, type: 'temp' })] }).b)[0]?.message).toContain('file temp//j1_00001_.png is not one the server saved');
  });

  it("a missing text, and another job's text", () => {
    const b = new TraceBuilder();
    b.submit('j1');
    b.submitted('j1', 'p1');
    b.success('p1', { '2': { text: ['mine'] } });
    b.submit('j2');
    b.submitted('j2', 'p2');
    b.success('p2', { '2': { text: ['theirs'] } });
    b.completed('j1', 'p1', { '2': { text: ['theirs'] } });
    const message = check(b)[0]?.message;
    expect(message).toContain('text "mine" is missing');
    expect(message).toContain(`text "theirs" is another job's (prompt p2)`);
  });

  it("its own text plus another job's text", () => {
    const b = new TraceBuilder();
    b.submit('j1');
    b.submitted('j1', 'p1');
    b.success('p1', { '2': { text: ['mine'] } });
    b.submit('j2');
    b.submitted('j2', 'p2');
    b.success('p2', { '2': { text: ['theirs'] } });
    b.completed('j1', 'p1', { '2': { text: ['mine', 'theirs'] } });
    const findings = check(b);
    expect(findings).toHaveLength(1);
    expect(findings[0]?.message).toContain(`text "theirs" is another job's (prompt p2)`);
    expect(findings[0]?.message).not.toContain('missing');
  });

  it('an image job reported with its text only, or a text job with nothing but an unrelated file', () => {
    const b = new TraceBuilder();
    b.submit('j1');
    b.submitted('j1', 'p1');
    b.success('p1', { '3': { images: [file1] }, '2': { text: ['x'] } });
    b.completed('j1', 'p1', { '2': { text: ['x'] } });
    expect(check(b)[0]?.message).toContain('file output//j1_00001_.png is missing');
  });
});
