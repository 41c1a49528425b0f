import { describe, expect, it } from 'vitest';
import { relayProfile, type RelayProfileInput } from '../../../../src/protocol/index.ts';

const stompProfile = (): RelayProfileInput => ({
  name: 'my-relay',
  command: 'node relay.js',
  submit: { kind: 'http', path: '/api/jobs', body: { userId: '{{userId}}', prompt: '{{prompt}}' } },
  downstream: { protocol: 'stomp', url: 'ws://127.0.0.1:{{port}}/ws', destination: '/user/topic/messages' },
  messages: {
    progress: { match: { type: 'progress' } },
    completed: { match: { type: 'imageResult' } },
    failed: { match: { type: 'error' } },
  },
});

const socketioProfile = (): RelayProfileInput => ({
  name: 'push-server',
  command: ['python', 'app.py'],
  submit: { kind: 'socketio-emit', event: 'task_created', payload: { prompt: '{{prompt}}' } },
  downstream: { protocol: 'socketio', url: 'http://127.0.0.1:{{port}}' },
  messages: {
    progress: { event: 'task_progress' },
    completed: { event: 'task_completed', urlsPath: 'images' },
    failed: { event: 'task_failed' },
  },
});

/** Every issue of a failed parse as `path: message`. */
function issues(input: unknown): string[] {
  const result = relayProfile.safeParse(input);
  expect(result.success, 'the profile should be rejected').toBe(false);
  return result.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('relay profile schema', () => {
  it('fills in the documented defaults of a minimal STOMP profile', () => {
    const p = relayProfile.parse(stompProfile());
    expect(p).toMatchObject({
      description: '',
      env: {},
      readyPath: '/health',
      startTimeoutMs: 60_000,
      stopTimeoutMs: 5_000,
      broker: 'none',
      refunds: false,
      submitTimeoutMs: 15_000,
      submit: { kind: 'http', method: 'POST', headers: {}, promptIdPath: 'prompt_id' },
      downstream: { protocol: 'stomp', connectHeaders: {}, subscribeHeaders: {}, ack: 'auto', subprotocols: ['v12.stomp', 'v11.stomp', 'v10.stomp'] },
      messages: {
        progress: { valuePath: 'value', maxPath: 'max', match: { type: 'progress' } },
        completed: { urlsPath: 'urls' },
      },
    });
    expect(p.cwd).toBeUndefined();
    expect(p.prepare).toBeUndefined();
    expect(p.messages.failed.errorPath).toBeUndefined();
  });

  it('fills in the Socket.IO defaults and accepts a command given as an array', () => {
    const p = relayProfile.parse(socketioProfile());
    expect(p.command).toEqual(['python', 'app.py']);
    expect(p.downstream).toEqual({ protocol: 'socketio', url: 'http://127.0.0.1:{{port}}', path: '/socket.io', auth: {}, query: {}, reconnectionAttempts: 5, acknowledge: true });
    expect(p.submit).toMatchObject({ kind: 'socketio-emit', event: 'task_created', promptIdPath: 'prompt_id' });
    expect(p.messages.completed).toEqual({ event: 'task_completed', match: {}, urlsPath: 'images' });
  });

  it('accepts a plain WebSocket downstream with matchers', () => {
    const p = relayProfile.parse({ ...stompProfile(), downstream: { protocol: 'ws', url: 'ws://127.0.0.1:{{port}}/events' } });
    expect(p.downstream).toEqual({ protocol: 'ws', url: 'ws://127.0.0.1:{{port}}/events' });
  });

  it('rejects a Socket.IO downstream whose message kinds name no event, at messages.<kind>.event', () => {
    const input = socketioProfile();
    input.messages = { progress: {}, completed: { event: 'task_completed' }, failed: { match: { type: 'error' } } };
    expect(issues(input)).toEqual([
      'messages.progress.event: a Socket.IO downstream names the event of each message kind',
      'messages.failed.event: a Socket.IO downstream names the event of each message kind',
    ]);
  });

  it('rejects a STOMP or WebSocket downstream whose message kinds match no field, at messages.<kind>.match', () => {
    const input = stompProfile();
    input.messages = { progress: { event: 'progress' }, completed: { match: { type: 'imageResult' } }, failed: {} };
    expect(issues(input)).toEqual([
      'messages.progress.match: say which fields tell this kind of message apart, e.g. { type: progress }',
      'messages.failed.match: say which fields tell this kind of message apart, e.g. { type: progress }',
    ]);
    expect(issues({ ...input, downstream: { protocol: 'ws', url: 'ws://x' } })).toHaveLength(2);
  });

  it('rejects a socketio-emit submit without a Socket.IO downstream, at submit.kind', () => {
    const input = { ...stompProfile(), submit: { kind: 'socketio-emit', event: 'task_created', payload: {} } };
    expect(issues(input)).toEqual(['submit.kind: socketio-emit submits need a socketio downstream']);
  });

  it('rejects a name that is not kebab-case, saying how one looks', () => {
    expect(issues({ ...stompProfile(), name: 'My_Relay' })).toEqual(['name: a relay name is kebab-case, e.g. "spring-stomp"']);
  });

  it('rejects a submit path without a leading slash, at submit.path', () => {
    const input = stompProfile();
    input.submit = { kind: 'http', path: 'api/jobs', body: {} };
    expect(issues(input)).toEqual(['submit.path: the submit path starts with "/", e.g. "/api/jobs"']);
  });

  it('rejects a JSON path that is not dot-separated field names, in paths and in match keys', () => {
    const input = stompProfile();
    input.messages = { ...input.messages, progress: { match: { type: 'progress' }, promptIdPath: 'data..prompt_id' } };
    expect(issues(input)).toEqual(['messages.progress.promptIdPath: a path is dot-separated field names, e.g. "data.prompt_id"']);
    const badKey = stompProfile();
    badKey.messages = { ...badKey.messages, failed: { match: { 'the type': 'error' } } };
    // zod reports a bad record key at the key's own path (its message is zod's "Invalid key in record").
    expect(issues(badKey)).toEqual(['messages.failed.match.the type: Invalid key in record']);
  });

  it('rejects an unknown downstream protocol and an unknown submit kind, at their discriminators', () => {
    expect(issues({ ...stompProfile(), downstream: { protocol: 'mqtt', url: 'x' } })[0]).toMatch(/^downstream\.protocol: /);
    expect(issues({ ...stompProfile(), submit: { kind: 'grpc', path: '/x' } })[0]).toMatch(/^submit\.kind: /);
  });

  it('rejects an empty command array and a non-positive timeout', () => {
    expect(issues({ ...stompProfile(), command: [] })[0]).toMatch(/^command: /);
    expect(issues({ ...stompProfile(), startTimeoutMs: 0 })[0]).toMatch(/^startTimeoutMs: /);
    expect(issues({ ...stompProfile(), readyPath: 'health' })[0]).toMatch(/^readyPath: /);
  });
});
