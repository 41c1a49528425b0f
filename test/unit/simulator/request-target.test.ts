import { describe, expect, it } from 'vitest';
import { decodePercentLenient } from '../../../src/simulator/http/percent-decoding.ts';
import { parseRequestTarget } from '../../../src/simulator/transport/request-target.ts';

describe('parseRequestTarget', () => {
  it('reads a target that starts with // as a path, whatever follows (aiohttp does)', () => {
    for (const target of ['//%zz', '//[', '//a:b:c', '//:99999', '//%zz/ws']) {
      expect(parseRequestTarget(target)?.pathname, target).toBe(target);
    }
  });

  it('keeps the query and resolves dot segments of an origin-form target', () => {
    const target = parseRequestTarget('/api/../history?max_items=2');
    expect(target?.pathname).toBe('/history');
    expect(target?.query.get('max_items')).toBe('2');
  });

  it('takes the path of an absolute-form target and refuses what is not a target', () => {
    expect(parseRequestTarget('http://127.0.0.1:8188/queue?x=1')?.pathname).toBe('/queue');
    expect(parseRequestTarget('*')).toBeNull();
    expect(parseRequestTarget('queue')).toBeNull();
    expect(parseRequestTarget('ftp://h/x')).toBeNull();
  });
});

describe('decodePercentLenient', () => {
  it('decodes valid escapes and keeps a lone or malformed % as it is', () => {
    expect(decodePercentLenient('a%20b')).toBe('a b');
    expect(decodePercentLenient('%')).toBe('%');
    expect(decodePercentLenient('%zz%2')).toBe('%zz%2');
  });

  it('keeps escapes that are not valid UTF-8 and decodes the valid ones around them', () => {
    expect(decodePercentLenient('%FF')).toBe('%FF');
    expect(decodePercentLenient('%E2%82%AC%FF%41')).toBe('€%FFA');
    expect(decodePercentLenient('%E2%82')).toBe('%E2%82');
  });
});
