import { describe, expect, it } from 'vitest';
import { classify, imageOfUrl } from '../../../../src/harness/relay/attribution.ts';
import { relayMessages } from '../../../../src/protocol/index.ts';

/** As clients/relays/spring-stomp: STOMP bodies told apart by `type`, no prompt id. */
const stomp = relayMessages.parse({
  progress: { match: { type: 'progress' } },
  completed: { match: { type: 'imageResult' }, urlsPath: 'urls' },
  failed: { match: { type: 'error' }, errorPath: 'message' },
});

/** As clients/relays/flask-socketio: Socket.IO events with the prompt id in the payload. */
const socketio = relayMessages.parse({
  progress: { event: 'task_progress', promptIdPath: 'prompt_id', valuePath: 'progress.value', maxPath: 'progress.max' },
  completed: { event: 'task_completed', promptIdPath: 'prompt_id', urlsPath: 'images' },
  failed: { event: 'task_failed', promptIdPath: 'prompt_id', errorPath: 'error' },
});

describe('imageOfUrl', () => {
  it('reads filename, subfolder and type of an absolute /view URL, decoding them', () => {
    expect(imageOfUrl('http://127.0.0.1:41234/view?filename=Comfy%20Sim_00001_.png&subfolder=a%2Fb&type=temp')).toEqual({
      filename: 'Comfy Sim_00001_.png',
      subfolder: 'a/b',
      type: 'temp',
    });
  });

  it('reads a relative URL and defaults to no subfolder and the output type', () => {
    expect(imageOfUrl('/api/view?filename=x.png')).toEqual({ filename: 'x.png', subfolder: '', type: 'output' });
  });

  it('gives undefined for a URL without a filename', () => {
    expect(imageOfUrl('http://h/view?subfolder=a&type=output')).toBeUndefined();
    expect(imageOfUrl('not a url at all')).toBeUndefined();
  });
});

describe('classify', () => {
  it('reads a STOMP progress body with the default value and max paths', () => {
    expect(classify(stomp, undefined, { type: 'progress', value: 3, max: 10 })).toEqual({ kind: 'progress', value: 3, max: 10 });
  });

  it('leaves out progress numbers that are not numbers', () => {
    expect(classify(stomp, undefined, { type: 'progress', value: '3' })).toEqual({ kind: 'progress' });
  });

  it('reads a completed body: its string URLs, and the images of those that are /view URLs', () => {
    const body = { type: 'imageResult', urls: ['http://c/view?filename=a.png&subfolder=&type=output', 7, 'http://c/other.png'] };
    expect(classify(stomp, undefined, body)).toEqual({
      kind: 'completed',
      urls: ['http://c/view?filename=a.png&subfolder=&type=output', 'http://c/other.png'],
      images: [{ filename: 'a.png', subfolder: '', type: 'output' }],
    });
  });

  it('takes a single URL string as a list of one, and anything else as none', () => {
    expect(classify(stomp, undefined, { type: 'imageResult', urls: '/view?filename=b.png' })).toMatchObject({ urls: ['/view?filename=b.png'], images: [{ filename: 'b.png' }] });
    expect(classify(stomp, undefined, { type: 'imageResult', urls: { a: 1 } })).toEqual({ kind: 'completed', urls: [], images: [] });
  });

  it('reads a failed body with its error message', () => {
    expect(classify(stomp, undefined, { type: 'error', message: 'Node 3 failed' })).toEqual({ kind: 'failed', error: 'Node 3 failed' });
  });

  it('gives undefined for a body no matcher matches', () => {
    expect(classify(stomp, undefined, { type: 'status', queue: 0 })).toBeUndefined();
    expect(classify(stomp, undefined, 'plain text')).toBeUndefined();
  });

  it('tells Socket.IO messages apart by event name and reads the prompt id, as a string even when a number', () => {
    expect(classify(socketio, 'task_progress', { prompt_id: 'p1', progress: { value: 2, max: 4 } })).toEqual({ kind: 'progress', promptId: 'p1', value: 2, max: 4 });
    expect(classify(socketio, 'task_completed', { prompt_id: 42, images: [] })).toEqual({ kind: 'completed', promptId: '42', urls: [], images: [] });
    expect(classify(socketio, 'task_failed', { prompt_id: 'p3', error: 500 })).toEqual({ kind: 'failed', promptId: 'p3', error: '500' });
  });

  it('ignores a Socket.IO event of another name even when its payload would fit', () => {
    expect(classify(socketio, 'active_tasks', { prompt_id: 'p1', images: [] })).toBeUndefined();
    expect(classify(socketio, undefined, { prompt_id: 'p1', images: [] })).toBeUndefined();
  });

  it('needs every match field to be equal, not just present', () => {
    const both = relayMessages.parse({
      progress: { match: { type: 'update', 'data.stage': 'progress' } },
      completed: { match: { type: 'update', 'data.stage': 'done', ok: true } },
      failed: { match: { type: 'update', 'data.stage': 'done', ok: false } },
    });
    expect(classify(both, undefined, { type: 'update', data: { stage: 'done' }, ok: false })?.kind).toBe('failed');
    expect(classify(both, undefined, { type: 'update', data: { stage: 'done' }, ok: true })?.kind).toBe('completed');
    expect(classify(both, undefined, { type: 'update', data: { stage: 'done' }, ok: 'true' })).toBeUndefined();
    expect(classify(both, undefined, { type: 'update', data: { stage: 'progress' } })?.kind).toBe('progress');
  });

  it('prefers completed, then failed, over progress when matchers overlap', () => {
    const loose = relayMessages.parse({ progress: { match: { t: 'x' } }, completed: { match: { t: 'x' } }, failed: { match: { t: 'x' } } });
    expect(classify(loose, undefined, { t: 'x' })?.kind).toBe('completed');
    const noCompleted = relayMessages.parse({ progress: { match: { t: 'x' } }, completed: { match: { t: 'y' } }, failed: { match: { t: 'x' } } });
    expect(classify(noCompleted, undefined, { t: 'x' })?.kind).toBe('failed');
  });
});
