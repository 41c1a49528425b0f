import { describe, expect, it } from 'vitest';
import { promptIdOf, UnclaimedFrames } from '../../../src/reference-client/unclaimed-frames.ts';

describe('UnclaimedFrames', () => {
  it("hands back a prompt's frames in arrival order, once, and keeps the others", () => {
    const frames = new UnclaimedFrames();
    const seen: string[] = [];
    frames.keep('p1', () => seen.push('p1 a'));
    frames.keep('p2', () => seen.push('p2 a'));
    frames.keep('p1', () => seen.push('p1 b'));
    for (const replay of frames.claim('p1')) replay();
    expect(seen).toEqual(['p1 a', 'p1 b']);
    expect(frames.claim('p1')).toEqual([]);
    expect(frames.size).toBe(1);
    frames.clear();
    expect(frames.claim('p2')).toEqual([]);
  });

  it('keeps at most its limit, dropping the oldest', () => {
    const frames = new UnclaimedFrames(3);
    for (let i = 0; i < 5; i++) frames.keep(`p${i}`, () => undefined);
    expect(frames.size).toBe(3);
    expect(frames.claim('p0')).toEqual([]);
    expect(frames.claim('p1')).toEqual([]);
    expect(frames.claim('p4')).toHaveLength(1);
  });

  it('reads a prompt_id only when it is a string', () => {
    expect(promptIdOf({ prompt_id: 'x' })).toBe('x');
    expect(promptIdOf({ prompt_id: 5 })).toBeUndefined();
    expect(promptIdOf(null)).toBeUndefined();
  });
});
