/**
 * ComfyHttp against a scripted fetch: URLs, request bodies, status handling, error codes and
 * messages, and the failure counters. Written from StrykerJS survivors (npm run mutation).
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock, type FetchLike, type RequestInitLike, type ResponseLike } from '../../../src/protocol/index.ts';
import { ComfyHttp } from '../../../src/reference-client/http-api.ts';

function response(status: number, body: unknown, options: { textFails?: boolean } = {}): ResponseLike {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return {
    status,
    ok: status >= 200 && status < 300,
    headers: { get: () => null },
    text: async () => {
      if (options.textFails) throw new Error('body stream cut');
      return text;
    },
    json: async () => JSON.parse(text),
    arrayBuffer: async () => new TextEncoder().encode(text).buffer as ArrayBuffer,
  };
}

type Call = { url: string; init: RequestInitLike };

function make(answer: (call: Call) => ResponseLike | Promise<ResponseLike>, timeoutMs = 1000) {
  const clock = new VirtualClock();
  const calls: Call[] = [];
  const fetch: FetchLike = async (url, init = {}) => {
    const call = { url, init };
    calls.push(call);
    return answer(call);
  };
  return { clock, calls, http: new ComfyHttp(fetch, clock, timeoutMs) };
}

const body = { prompt: { '9': { class_type: 'SaveImage', inputs: {} } }, client_id: 'c', prompt_id: 'p1' };

describe('ComfyHttp.postPrompt', () => {
  it('posts JSON to /prompt (trailing slashes of the base URL dropped) and returns the accepted reply', async () => {
    const t = make(() => response(200, { prompt_id: 'p1', number: 4, node_errors: {} }));
    const result = await t.http.postPrompt('http://h:1//', body);
    expect(result).toEqual({ kind: 'accepted', reply: { prompt_id: 'p1', number: 4, node_errors: {} } });
    expect(t.calls).toHaveLength(1);
    expect(t.calls[0]!.url).toBe('http://h:1/prompt');
    expect(t.calls[0]!.init.method).toBe('POST');
    expect(t.calls[0]!.init.headers).toEqual({ 'content-type': 'application/json' });
    expect(JSON.parse(t.calls[0]!.init.body as string)).toEqual(body);
    expect(t.calls[0]!.init.signal).toBeInstanceOf(AbortSignal);
    expect(t.http.requests).toBe(1);
    expect(t.http.failures).toBe(0);
  });

  it('reads a 400 validation error with its node errors', async () => {
    const nodeError = (message: string) => ({ type: 't', message, details: '', extra_info: {} });
    const t = make(() =>
      response(400, {
        error: { type: 'prompt_outputs_failed_validation', message: 'Prompt outputs failed validation', details: '', extra_info: {} },
        node_errors: {
          '3': { errors: [nodeError('bad cfg'), nodeError('bad seed')], dependent_outputs: ['9'], class_type: 'KSampler' },
          '5': { errors: [nodeError('no model')], dependent_outputs: [], class_type: 'Loader' },
        },
      }),
    );
    expect(await t.http.postPrompt('http://h', body)).toEqual({
      kind: 'rejected',
      status: 400,
      message: 'prompt_outputs_failed_validation: Prompt outputs failed validation [node 3 (KSampler): bad cfg; bad seed | node 5 (Loader): no model]',
    });
  });

  it('reads a 400 without node errors with no trailing brackets, and a non-JSON 400 by its first 200 characters', async () => {
    const t1 = make(() => response(400, { error: { type: 'no_prompt', message: 'No prompt', details: '', extra_info: {} }, node_errors: {} }));
    expect(await t1.http.postPrompt('http://h', body)).toEqual({ kind: 'rejected', status: 400, message: 'no_prompt: No prompt' });
    const long = `Bad Request ${'x'.repeat(300)}`;
    const t2 = make(() => response(400, long));
    expect(await t2.http.postPrompt('http://h', body)).toEqual({ kind: 'rejected', status: 400, message: long.slice(0, 200) });
  });

  it('throws CC_ERR_HTTP_STATUS with the status for any other error status', async () => {
    const t = make(() => response(503, `busy ${'y'.repeat(300)}`));
    const error = await t.http.postPrompt('http://h', body).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CC_ERR_HTTP_STATUS', status: 503 });
    expect((error as Error).message).toBe(`comfy-chaos reference client: POST /prompt answered 503: busy ${'y'.repeat(195)}`);
  });

  it('throws CC_ERR_BAD_REPLY when a 200 reply is not JSON or misses fields', async () => {
    const t1 = make(() => response(200, '<html>ok</html>'));
    const e1 = await t1.http.postPrompt('http://h', body).catch((e: unknown) => e);
    expect(e1).toMatchObject({ code: 'CC_ERR_BAD_REPLY' });
    expect((e1 as Error).message).toContain('POST /prompt reply is not JSON: <html>ok</html>');
    const t2 = make(() => response(200, { prompt_id: 'p1' }));
    const e2 = await t2.http.postPrompt('http://h', body).catch((e: unknown) => e);
    expect(e2).toMatchObject({ code: 'CC_ERR_BAD_REPLY' });
    expect((e2 as Error).message).toContain('POST /prompt reply: ');
  });

  it('fails with CC_ERR_HTTP_NETWORK, counted, when the reply body cannot be read', async () => {
    const t = make(() => response(200, '{}', { textFails: true }));
    const error = await t.http.postPrompt('http://h', body).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CC_ERR_HTTP_NETWORK' });
    expect((error as Error).message).toContain('reading a reply failed: body stream cut');
    expect(t.http.failures).toBe(1);
  });
});

describe('ComfyHttp.getQueue and getHistory', () => {
  it('reads the running and pending ids from item[1], loosely', async () => {
    const t = make(() => response(200, { queue_running: [[0, 'r1', {}, {}, []]], queue_pending: [[1, 'q1'], [2, 'q2', {}]], extra: 1 }));
    const queue = await t.http.getQueue('http://h/');
    expect(queue.running).toEqual(new Set(['r1']));
    expect(queue.pending).toEqual(new Set(['q1', 'q2']));
    expect(t.calls[0]!.url).toBe('http://h/queue');
    expect(t.calls[0]!.init.method).toBeUndefined();
  });

  it('throws CC_ERR_HTTP_STATUS for a failed GET /queue and counts one failure', async () => {
    const t = make(() => response(502, 'Bad Gateway'));
    const error = await t.http.getQueue('http://h').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CC_ERR_HTTP_STATUS', status: 502 });
    expect((error as Error).message).toContain('GET /queue answered 502: Bad Gateway');
    expect(t.http.failures).toBe(1);
  });

  it('treats an empty 200 body as an empty object (a queue reply without lists is bad)', async () => {
    const t = make(() => response(200, '   '));
    await expect(t.http.getQueue('http://h')).rejects.toMatchObject({ code: 'CC_ERR_BAD_REPLY' });
    const h = make(() => response(200, ''));
    expect(await h.http.getHistory('http://h', 'p')).toBeUndefined();
  });

  it('reads a history entry for the escaped id, and undefined for {}', async () => {
    const entry = { outputs: { '9': { images: [] } }, status: { status_str: 'success', completed: true, messages: [] }, meta: {} };
    const t = make(({ url }) => (url.endsWith('/history/a%2Fb%20c') ? response(200, { 'a/b c': entry }) : response(200, {})));
    expect(await t.http.getHistory('http://h', 'a/b c')).toEqual(entry);
    expect(await t.http.getHistory('http://h', 'other')).toBeUndefined();
    expect(t.calls.map((c) => c.url)).toEqual(['http://h/history/a%2Fb%20c', 'http://h/history/other']);
  });

  it('fills defaults of a sparse history entry and rejects a malformed one', async () => {
    const t = make(() => response(200, { p: {} }));
    expect(await t.http.getHistory('http://h', 'p')).toEqual({ outputs: {} });
    const bad = make(() => response(200, { p: { outputs: 'nope' } }));
    const error = await bad.http.getHistory('http://h', 'p').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CC_ERR_BAD_REPLY' });
    expect((error as Error).message).toContain('GET /history/p: ');
  });

  it('throws CC_ERR_HTTP_STATUS for a failed history read', async () => {
    const t = make(() => response(500, 'oops'));
    await expect(t.http.getHistory('http://h', 'p')).rejects.toMatchObject({ code: 'CC_ERR_HTTP_STATUS', status: 500, message: expect.stringContaining('GET /history/p answered 500: oops') });
  });
});

describe('ComfyHttp: queue delete, interrupt, upload', () => {
  it('posts {delete: ids} to /queue and {prompt_id} to /interrupt', async () => {
    const t = make(() => response(200, ''));
    await t.http.deleteFromQueue('http://h', ['a', 'b']);
    await t.http.interrupt('http://h', 'a');
    expect(t.calls.map((c) => [c.url, c.init.method, c.init.headers, JSON.parse(c.init.body as string)])).toEqual([
      ['http://h/queue', 'POST', { 'content-type': 'application/json' }, { delete: ['a', 'b'] }],
      ['http://h/interrupt', 'POST', { 'content-type': 'application/json' }, { prompt_id: 'a' }],
    ]);
  });

  it('fails deleteFromQueue and interrupt on an error status', async () => {
    const t = make(() => response(500, 'no'));
    await expect(t.http.deleteFromQueue('http://h', ['a'])).rejects.toMatchObject({ code: 'CC_ERR_HTTP_STATUS', message: expect.stringContaining('POST /queue answered 500') });
    await expect(t.http.interrupt('http://h', 'a')).rejects.toMatchObject({ code: 'CC_ERR_HTTP_STATUS', message: expect.stringContaining('POST /interrupt answered 500') });
  });

  it('uploads bytes as a form with the file name, type, and only the optional fields given', async () => {
    const forms: FormData[] = [];
    const t = make(({ init }) => {
      forms.push(init.body as FormData);
      return response(200, { name: 'x.png', subfolder: '', type: 'input' });
    });
    expect(await t.http.uploadImage('http://h', { name: 'x.png', data: new Uint8Array([1, 2, 3]) })).toEqual({ name: 'x.png', subfolder: '', type: 'input' });
    await t.http.uploadImage('http://h', { name: 'y.png', data: new Blob([new Uint8Array([4])]), type: 'temp', subfolder: 'sub', overwrite: true });
    expect(t.calls.map((c) => [c.url, c.init.method])).toEqual([
      ['http://h/upload/image', 'POST'],
      ['http://h/upload/image', 'POST'],
    ]);
    const [first, second] = forms as [FormData, FormData];
    const image = first.get('image') as File;
    expect(image.name).toBe('x.png');
    expect([...new Uint8Array(await image.arrayBuffer())]).toEqual([1, 2, 3]);
    expect(first.get('type')).toBe('input');
    expect(first.has('subfolder')).toBe(false);
    expect(first.has('overwrite')).toBe(false);
    expect((second.get('image') as File).name).toBe('y.png');
    expect(second.get('type')).toBe('temp');
    expect(second.get('subfolder')).toBe('sub');
    expect(second.get('overwrite')).toBe('true');
  });

  it('rejects an upload reply that misses fields', async () => {
    const t = make(() => response(200, { name: 'x.png' }));
    await expect(t.http.uploadImage('http://h', { name: 'x.png', data: new Uint8Array([1]) })).rejects.toMatchObject({
      code: 'CC_ERR_BAD_REPLY',
      message: expect.stringContaining('POST /upload/image reply'),
    });
  });
});

describe('ComfyHttp: network errors and timeouts', () => {
  it('wraps a fetch failure as CC_ERR_HTTP_NETWORK with method and path, and counts it', async () => {
    const t = make(() => {
      throw new TypeError('connection refused');
    });
    const error = await t.http.getQueue('http://h').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CC_ERR_HTTP_NETWORK' });
    expect((error as Error).message).toBe('comfy-chaos reference client: GET /queue failed: connection refused');
    const post = await t.http.interrupt('http://h', 'p').catch((e: unknown) => e);
    expect((post as Error).message).toContain('POST /interrupt failed: connection refused');
    expect(t.http.failures).toBe(2);
    expect(t.http.requests).toBe(2);
  });

  it('describes a non-Error rejection too', async () => {
    const clock = new VirtualClock();
    const http = new ComfyHttp(() => Promise.reject('just a string'), clock, 1000);
    await expect(http.getQueue('http://h')).rejects.toMatchObject({ message: expect.stringContaining('GET /queue failed: just a string') });
  });

  it('times a request out after requestTimeoutMs of the clock, aborting the fetch', async () => {
    let signal: AbortSignal | undefined;
    const t = make(({ init }) => {
      signal = init.signal;
      return new Promise<ResponseLike>(() => undefined);
    }, 500);
    let error: unknown;
    void t.http.getHistory('http://h', 'p').catch((e: unknown) => (error = e));
    await t.clock.advanceBy(499);
    expect(error).toBeUndefined();
    expect(signal?.aborted).toBe(false);
    await t.clock.advanceBy(1);
    await t.clock.advanceBy(0);
    expect(error).toMatchObject({ code: 'CC_ERR_HTTP_TIMEOUT' });
    expect((error as Error).message).toBe('comfy-chaos reference client: GET /history/p not answered within 500 ms');
    expect(signal?.aborted).toBe(true);
    expect(t.http.failures).toBe(1);
  });

  it('names the method of a timed-out POST and clears the timer of an answered request', async () => {
    const t = make(() => new Promise<ResponseLike>(() => undefined), 300);
    let error: unknown;
    void t.http.deleteFromQueue('http://h', ['a']).catch((e: unknown) => (error = e));
    await t.clock.advanceBy(300);
    await t.clock.advanceBy(0);
    expect((error as Error).message).toContain('POST /queue not answered within 300 ms');
    const ok = make(() => response(200, ''), 300);
    await ok.http.deleteFromQueue('http://h', ['a']);
    expect(ok.clock.pendingTimers).toBe(0);
  });
});
