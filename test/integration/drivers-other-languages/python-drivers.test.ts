import { describe, expect, it } from 'vitest';
import { pythonDriver, requirePython, verdictOf } from './drivers.ts';

// Without the venv (scripts/install-python-drivers.sh) these are skipped with the reason, or fail
// under COMFY_CHAOS_STRICT=1.
describe('Python drivers (clients/python), judged by the catalogue on the network transport', () => {
  it('naive (the websockets_api_example.py pattern) passes the happy path', async (ctx) => {
    const naive = pythonDriver(requirePython(ctx), 'naive_driver.py');
    expect((await verdictOf(naive, '6.1')).verdict).toBe('pass');
  });

  it('naive loses the completion when the socket dies between executing and executed (2.3): recv() raises and ends the script', async (ctx) => {
    const naive = pythonDriver(requirePython(ctx), 'naive_driver.py');
    const dropped = await verdictOf(naive, '2.3');
    expect(dropped.verdict).toBe('fail');
    expect(dropped.invariants).toContain('no-lost-completion');
    expect(dropped.said.some((e) => e.type === 'completed')).toBe(false);
    const crash = dropped.said.find((e) => e.type === 'client_error' && e.problem === 'crash');
    expect(String(crash?.message)).toMatch(/WebSocketConnectionClosedException/);
  });

  it('naive dies on a BOM (1.2): the bare json.loads raises, and the fail names the JSONDecodeError', async (ctx) => {
    const naive = pythonDriver(requirePython(ctx), 'naive_driver.py');
    const bom = await verdictOf(naive, '1.2');
    expect(bom.verdict).toBe('fail');
    expect(bom.invariants).toContain('no-hang');
    expect(bom.messages.join('\n')).toMatch(/JSONDecodeError/);
  });

  it('robust passes 2.3 and the scenarios around it: drops mid-progress and at the end, a BOM, the happy path', async (ctx) => {
    const robust = pythonDriver(requirePython(ctx), 'robust_driver.py');
    const ids = ['2.3', '2.2', '2.4', '1.2', '6.1'];
    const results = await Promise.all(ids.map((id) => verdictOf(robust, id)));
    expect(results.map((r, i) => `${ids[i]} ${r.verdict} ${r.messages.join('; ')}`)).toEqual(ids.map((id) => `${id} pass `));
    // 2.3: the end was seen after a reconnect with the same clientId, or by the resync; either way once.
    const completions = results[0]!.said.filter((e) => e.type === 'completed');
    expect(completions).toHaveLength(1);
  }, 60_000);

  it('robust reports a job lost in a restart (5.1) as lost, neither completed nor left pending', async (ctx) => {
    const robust = pythonDriver(requirePython(ctx), 'robust_driver.py');
    const restart = await verdictOf(robust, '5.1');
    expect(restart.verdict).toBe('pass');
    expect(restart.said.filter((e) => e.type === 'failed' || e.type === 'completed')).toEqual([
      expect.objectContaining({ type: 'failed', id: 'j1', reason: 'lost' }),
    ]);
  }, 60_000);
});
