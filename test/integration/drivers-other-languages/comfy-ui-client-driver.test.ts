import { describe, expect, it } from 'vitest';
import { nodeDriver, verdictOf } from './drivers.ts';

// The npm package comfy-ui-client 0.1.2, unmodified, through its public API (clients/comfy-ui-client/driver.mjs).
const comfyUiClient = nodeDriver('comfy-ui-client', 'clients/comfy-ui-client/driver.mjs');

describe('comfy-ui-client (a third-party npm client), judged by the catalogue on the network transport', () => {
  it('passes the happy path: a fresh prompt and its cached rerun, images from history', async () => {
    const happy = await verdictOf(comfyUiClient, '6.1');
    expect(happy.verdict).toBe('pass');
    expect(happy.said.filter((e) => e.type === 'completed').map((e) => e.id)).toEqual(['j1', 'j2']);
    // Its pino logs arrive as log events, not as junk on the protocol's stdout.
    expect(happy.said.some((e) => e.type === 'log' && String(e.message).includes('comfy-ui-client: Connection open'))).toBe(true);
    expect(happy.said.some((e) => e.type === 'client_error')).toBe(false);
  });

  it('never reconnects: when the socket dies before executed (2.3) the job is lost and getImages never settles', async () => {
    const dropped = await verdictOf(comfyUiClient, '2.3');
    expect(dropped.verdict).toBe('fail');
    expect(dropped.invariants).toEqual(expect.arrayContaining(['no-lost-completion', 'no-hang']));
    expect(dropped.said.some((e) => e.type === 'log' && String(e.message).includes('Connection closed'))).toBe(true);
    expect(dropped.trace.filter((e) => e.kind === 'ws_connect')).toHaveLength(1);
  });

  it('reports an execution_error and an interrupt as completed: it never reads history status (6.2)', async () => {
    const failures = await verdictOf(comfyUiClient, '6.2');
    expect(failures.verdict).toBe('fail');
    expect(failures.invariants).toContain('failures-are-failures');
    expect(failures.said.filter((e) => e.type === 'completed').map((e) => e.id).sort()).toEqual(['j1', 'j2', 'j3']);
  });

  it('rejects getImages on a frame with a BOM (1.2), though the prompt succeeds on the server', async () => {
    const bom = await verdictOf(comfyUiClient, '1.2');
    expect(bom.verdict).toBe('fail');
    const failed = bom.said.find((e) => e.type === 'failed');
    expect(failed).toMatchObject({ id: 'j1', reason: 'error' });
    expect(String(failed?.error)).toMatch(/SyntaxError|JSON/);
  });
});
