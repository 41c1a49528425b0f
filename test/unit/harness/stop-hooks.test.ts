import { describe, expect, it } from 'vitest';
import { onStop, runStopHooks } from '../../../src/harness/stop-hooks.ts';

describe('stop hooks (asynchronous clean-up before a signalled exit)', () => {
  it('runs every registered hook once, even when one fails, and not those removed again', async () => {
    const ran: string[] = [];
    onStop(async () => void ran.push('a'));
    onStop(async () => {
      ran.push('failing');
      throw new Error('boom');
    });
    const forget = onStop(async () => void ran.push('forgotten'));
    forget();
    await runStopHooks(1_000);
    expect(ran.sort()).toEqual(['a', 'failing']);
    await runStopHooks(1_000);
    expect(ran).toHaveLength(2);
  });

  it('gives up on a hook that never ends after the bound instead of hanging the exit', async () => {
    let finished = false;
    onStop(() => new Promise(() => {}));
    onStop(async () => void (finished = true));
    await runStopHooks(50);
    expect(finished).toBe(true);
  });
});
