import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { builtInRelayProfiles, findRelayProfile, loadRelayProfileFile, profileDir, RelayProfileError } from '../../../../src/harness/relay/profile-file.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const BUILT_IN = ['flask-socketio', 'reference-socketio', 'reference-stomp', 'spring-stomp'];

const tmp = mkdtempSync(join(tmpdir(), 'cc-relay-profile-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const write = (name: string, text: string) => {
  const file = join(tmp, name);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
};

const validYaml = `name: my-relay
command: node relay.js
submit: { kind: http, path: /api/jobs, body: { prompt: "{{prompt}}" } }
downstream: { protocol: ws, url: "ws://127.0.0.1:{{port}}/events" }
messages:
  progress: { match: { type: progress } }
  completed: { match: { type: done } }
  failed: { match: { type: error } }
`;

/** The error a call throws, so its fields can be checked. */
function thrown(f: () => unknown): RelayProfileError {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(RelayProfileError);
    return error as RelayProfileError;
  }
  throw new Error('expected a RelayProfileError');
}

describe('built-in relay profiles', () => {
  const all = builtInRelayProfiles(ROOT);

  it('are the four in clients/relays, sorted by name, each from its *.profile.yaml', () => {
    expect(all.map((p) => p.profile.name)).toEqual(BUILT_IN);
    for (const p of all) expect(p.file).toBe(join(ROOT, 'clients', 'relays', dirname(p.file).split('/').pop()!, `${p.profile.name}.profile.yaml`));
  });

  it('say what docs/relays.md says of each relay', () => {
    const byName = new Map(all.map((p) => [p.profile.name, p.profile]));
    const spring = byName.get('spring-stomp')!;
    expect(spring).toMatchObject({ refunds: true, broker: 'none', stopTimeoutMs: 3000, submit: { kind: 'http', path: '/api/jobs' } });
    expect(spring.downstream).toMatchObject({ protocol: 'stomp', destination: '/user/topic/messages', connectHeaders: { clientId: '{{clientId}}' } });
    expect(spring.messages.progress.promptIdPath).toBeUndefined();

    const flask = byName.get('flask-socketio')!;
    expect(flask).toMatchObject({ refunds: false, submit: { kind: 'socketio-emit', event: 'task_created' }, downstream: { protocol: 'socketio' } });
    expect(flask.messages.completed).toMatchObject({ event: 'task_completed', urlsPath: 'images', promptIdPath: 'prompt_id' });

    expect(byName.get('reference-stomp')).toMatchObject({ broker: 'stomp', refunds: true, downstream: { protocol: 'stomp', ack: 'client-individual', destination: '/queue/comfy.user.{{clientId}}' } });
    expect(byName.get('reference-socketio')).toMatchObject({ broker: 'none', refunds: true, downstream: { protocol: 'socketio', auth: { clientId: '{{clientId}}' } } });
  });

  it('are none in a folder without clients/relays', () => {
    expect(builtInRelayProfiles(join(tmp, 'no-such-root'))).toEqual([]);
  });

  it('are read from profile.yaml and <name>.profile.json files only', () => {
    const root = join(tmp, 'root-a');
    write('root-a/clients/relays/one/profile.yaml', validYaml.replace('my-relay', 'zeta'));
    write('root-a/clients/relays/two/alpha.profile.json', JSON.stringify({ name: 'alpha', command: 'x', submit: { kind: 'http', path: '/s', body: '{{prompt}}' }, downstream: { protocol: 'ws', url: 'ws://x' }, messages: { progress: { match: { t: 'p' } }, completed: { match: { t: 'c' } }, failed: { match: { t: 'f' } } } }));
    write('root-a/clients/relays/two/notes.yaml', 'not: a profile');
    write('root-a/clients/relays/stray.profile.yaml', 'name: [not read: not in a relay folder');
    expect(builtInRelayProfiles(root).map((p) => p.profile.name)).toEqual(['alpha', 'zeta']);
  });
});

describe('loadRelayProfileFile', () => {
  it('reads a YAML profile and gives its absolute file', () => {
    const file = write('ok.profile.yaml', validYaml);
    const loaded = loadRelayProfileFile(file);
    expect(loaded.profile.name).toBe('my-relay');
    expect(loaded.profile.readyPath).toBe('/health');
    expect(loaded.file).toBe(resolve(file));
    expect(profileDir(loaded)).toBe(tmp);
  });

  it('names the file that cannot be read', () => {
    const e = thrown(() => loadRelayProfileFile(join(tmp, 'missing.yaml')));
    expect(e.code).toBe('CC_ERR_RELAY_PROFILE');
    expect(e.message).toMatch(new RegExp(`^cannot read relay profile ${join(tmp, 'missing.yaml')}: ENOENT`));
  });

  it('says a YAML or JSON file does not parse, naming the file', () => {
    const yaml = write('bad.yaml', 'name: [unclosed');
    expect(thrown(() => loadRelayProfileFile(yaml)).message).toMatch(new RegExp(`^relay profile ${yaml} is not valid YAML: `));
    const json = write('bad.json', '{"name": ');
    expect(thrown(() => loadRelayProfileFile(json)).message).toMatch(new RegExp(`^relay profile ${json} is not valid JSON: `));
  });

  it('names the file and the path of every problem of an invalid profile', () => {
    const file = write(
      'socketio.profile.yaml',
      validYaml.replace('protocol: ws', 'protocol: socketio').replace('failed: { match: { type: error } }', 'failed: { event: task_failed }'),
    );
    const message = thrown(() => loadRelayProfileFile(file)).message;
    expect(message).toMatch(new RegExp(`^relay profile ${file} is invalid:\\n`));
    expect(message).toContain('messages.progress.event');
    expect(message).toContain('messages.completed.event');
    expect(message).not.toContain('messages.failed.event');
    expect(message).toContain('a Socket.IO downstream names the event of each message kind');
  });
});

describe('findRelayProfile', () => {
  it('finds a built-in profile by name', () => {
    const found = findRelayProfile('spring-stomp', ROOT);
    expect(found.profile.name).toBe('spring-stomp');
    expect(found.file).toBe(join(ROOT, 'clients/relays/spring-stomp/spring-stomp.profile.yaml'));
  });

  it('loads a selector ending in .yaml, .yml or .json as a file, whatever the root', () => {
    const file = write('mine.yml', validYaml);
    expect(findRelayProfile(file, join(tmp, 'no-such-root')).profile.name).toBe('my-relay');
    expect(thrown(() => findRelayProfile(join(tmp, 'absent.json'), ROOT)).message).toMatch(/^cannot read relay profile .*absent\.json/);
  });

  it('lists the known profiles for an unknown name', () => {
    const e = thrown(() => findRelayProfile('express-relay', ROOT));
    expect(e.code).toBe('CC_ERR_RELAY_PROFILE');
    expect(e.message).toBe(`no relay profile named "express-relay"; known: ${BUILT_IN.join(', ')} (or give a profile file: --relay path/to/profile.yaml)`);
  });

  it('says none are known where there are none', () => {
    expect(thrown(() => findRelayProfile('spring-stomp', join(tmp, 'no-such-root'))).message).toMatch(/; known: none \(or give a profile file/);
  });
});
