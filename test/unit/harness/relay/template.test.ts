import { describe, expect, it } from 'vitest';
import { fill, fillRecord, fillString, TemplateError, valueAt } from '../../../../src/harness/relay/template.ts';

const values = { port: 41234, userId: 'alice', clientId: 'browser-1', prompt: { '1': { class_type: 'SimSleep', inputs: { ms: 10 } } } };

describe('relay profile templates', () => {
  it('fills every placeholder of a string, with or without spaces inside the braces', () => {
    expect(fillString('ws://127.0.0.1:{{port}}/ws?u={{ userId }}&c={{clientId}}', values)).toBe('ws://127.0.0.1:41234/ws?u=alice&c=browser-1');
  });

  it('leaves text that only looks like a placeholder alone', () => {
    expect(fillString('{{}} {{1port}} {port} {{-x}}', values)).toBe('{{}} {{1port}} {port} {{-x}}');
  });

  it('names an unknown placeholder, where it was, and the known ones', () => {
    let error: unknown;
    try {
      fillString('http://{{host}}:{{port}}', values, 'downstream.url');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TemplateError);
    expect((error as TemplateError).name).toBe('TemplateError');
    expect((error as TemplateError).message).toBe('unknown placeholder {{host}} in downstream.url (known: {{port}}, {{userId}}, {{clientId}}, {{prompt}})');
  });

  it('says "the profile" when not told where the placeholder was', () => {
    expect(() => fillString('{{nope}}', {})).toThrow('unknown placeholder {{nope}} in the profile (known: )');
  });

  it('replaces a string that is exactly one placeholder by the value itself, whatever its type', () => {
    const body = fill({ userId: '{{userId}}', prompt: '{{prompt}}', port: '{{ port }}', label: 'user {{userId}} on {{port}}' }, values) as Record<string, unknown>;
    expect(body).toEqual({ userId: 'alice', prompt: values.prompt, port: 41234, label: 'user alice on 41234' });
    expect(body.prompt).toBe(values.prompt);
  });

  it('fills strings inside arrays and nested objects and keeps other values as they are', () => {
    const filled = fill({ list: ['{{clientId}}', 3, null, true, { deep: ['x-{{userId}}'] }], n: 1.5, nothing: null }, values);
    expect(filled).toEqual({ list: ['browser-1', 3, null, true, { deep: ['x-alice'] }], n: 1.5, nothing: null });
  });

  it('names the unknown placeholder and where it was when filling a value', () => {
    expect(() => fill({ a: ['{{sessionId}}'] }, values, 'submit.body')).toThrow(/^unknown placeholder \{\{sessionId\}\} in submit\.body \(known: /);
  });

  it('fills a record, naming the key of a bad entry', () => {
    expect(fillRecord({ clientId: '{{clientId}}', login: 'guest' }, values, 'downstream.connectHeaders')).toEqual({ clientId: 'browser-1', login: 'guest' });
    expect(() => fillRecord({ passcode: '{{brokerPasscode}}' }, values, 'downstream.connectHeaders')).toThrow(
      'unknown placeholder {{brokerPasscode}} in downstream.connectHeaders.passcode',
    );
  });

  it('reads the value at a dotted path, and undefined where the path leads nowhere', () => {
    const message = { type: 'progress', data: { prompt_id: 'p1', value: 0, nested: null }, urls: ['a', 'b'] };
    expect(valueAt(message, 'type')).toBe('progress');
    expect(valueAt(message, 'data.prompt_id')).toBe('p1');
    expect(valueAt(message, 'data.value')).toBe(0);
    expect(valueAt(message, 'urls.1')).toBe('b');
    expect(valueAt(message, 'data.missing')).toBeUndefined();
    expect(valueAt(message, 'data.nested.x')).toBeUndefined();
    expect(valueAt(message, 'type.length')).toBeUndefined();
    expect(valueAt('text', 'x')).toBeUndefined();
    expect(valueAt(null, 'x')).toBeUndefined();
  });
});
