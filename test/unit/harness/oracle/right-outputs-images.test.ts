import { describe, expect, it } from 'vitest';
import { outputImages, rightOutputs } from '../../../../src/harness/oracle/right-outputs.ts';
import { traceFacts } from '../../../../src/harness/oracle/trace-facts.ts';
import { RelayTraceBuilder, relayScenario } from './relay-trace-builder.ts';

const s = relayScenario({ a1: 'alice' });
const check = (b: RelayTraceBuilder) => rightOutputs(traceFacts(b.events, s));

const img = (filename: string, subfolder = '', type = 'output') => ({ filename, subfolder, type });
const serverOutputs = { '9': { images: [img('a.png'), img('b.png', 'sub')] }, '2': { text: ['x'] } };

/** A relay job: the harness's submit, the relay's prompt id, the server's success, and what the browser was told. */
function relayJob(b: RelayTraceBuilder, images: unknown) {
  b.relayStart(false);
  b.submit('a1', { window: 'alice' });
  b.submitted('a1', 'pa', { window: 'alice' });
  b.queued('pa', 'relay-upstream');
  const success = b.success('pa', serverOutputs);
  const completed = b.completed('a1', 'pa', {}, { window: 'alice', images, urls: [] });
  return { success, completed };
}

describe('outputImages', () => {
  it('lists every image of every output node as type/subfolder/filename, sorted, skipping other outputs', () => {
    expect(
      outputImages({
        '9': { images: [img('z.png'), img('a.png', 'sub', 'temp')] },
        '2': { text: ['x'] },
        '3': null,
        '4': { images: 'not a list' },
        '5': { images: [{ filename: 'bare.png' }] },
      }),
    ).toEqual(['//bare.png', 'output//z.png', 'temp/sub/a.png']);
  });
});

describe('right-outputs for relays (images named by /view URLs)', () => {
  it('passes images that name the server outputs, in any order, whatever the other outputs', () => {
    const b = new RelayTraceBuilder();
    relayJob(b, [img('b.png', 'sub'), img('a.png')]);
    expect(check(b)).toEqual([]);
  });

  it('names a missing image, with the server line and the report', () => {
    const b = new RelayTraceBuilder();
    const { success, completed } = relayJob(b, [img('a.png')]);
    expect(check(b)).toEqual([
      {
        invariant: 'right-outputs',
        job: 'a1',
        message: expect.stringMatching(/^the images delivered for prompt pa are not the server's: file output\/sub\/b\.png is missing \(reported \[\{"filename":"a\.png"/),
        evidence: [success.seq, completed.seq],
      },
    ]);
  });

  it('names an image in the wrong subfolder or of the wrong type', () => {
    const b = new RelayTraceBuilder();
    relayJob(b, [img('a.png', '', 'temp'), img('b.png', 'sub')]);
    const message = check(b)[0]?.message;
    expect(message).toContain('file output//a.png is missing');
    expect(message).toContain('file temp//a.png is not one the server saved for this job');
  });

  it('names a completion with no images for a prompt that made some', () => {
    const b = new RelayTraceBuilder();
    relayJob(b, []);
    expect(check(b)[0]).toMatchObject({ invariant: 'right-outputs', job: 'a1', message: expect.stringContaining('no output of the job was delivered') });
  });

  it("compares with the history entry's images when the trace has them", () => {
    const b = new RelayTraceBuilder();
    b.relayStart(false);
    b.submit('a1', { window: 'alice' });
    b.submitted('a1', 'pa', { window: 'alice' });
    b.queued('pa', 'relay-upstream');
    b.success('pa', serverOutputs);
    b.prompt('history_written', 'pa', { outputs: { '9': { images: [img('a.png')] } } });
    b.completed('a1', 'pa', {}, { window: 'alice', images: [img('a.png')] });
    expect(check(b)).toEqual([]);
  });

  it('compares outputs, not images, for a report without images', () => {
    const b = new RelayTraceBuilder();
    b.submit('a1', { window: 'alice' });
    b.submitted('a1', 'pa', { window: 'alice' });
    b.success('pa', serverOutputs);
    b.completed('a1', 'pa', {}, { window: 'alice' });
    expect(check(b)[0]?.message).toMatch(/^the outputs reported for prompt pa are not the server's: no output of the job was delivered \(reported \{\}; server \{"2"/);
  });
});
