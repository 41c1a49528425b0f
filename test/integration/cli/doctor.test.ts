import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './cli.ts';

// `comfy-chaos doctor` tries each Toxiproxy provider and says which is there and how to get the
// others. The environment is set per test (process.env, restored after), since doctor reads it.
const home = mkdtempSync(join(tmpdir(), 'cc-doctor-'));
const keys = ['TOXIPROXY_URL', 'TOXIPROXY_BIN', 'XDG_CACHE_HOME', 'COMFY_CHAOS_CACHE_DIR'] as const;
const saved = Object.fromEntries(keys.map((k) => [k, process.env[k]]));
let fake: Server;
let fakeUrl = '';

beforeAll(async () => {
  // Answers GET /version as Toxiproxy 2.x does.
  fake = createServer((req, res) => (req.url === '/version' ? res.writeHead(200, { 'content-type': 'application/json' }).end('{"version":"2.12.0"}') : res.writeHead(404).end()));
  await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
  fakeUrl = `http://127.0.0.1:${(fake.address() as { port: number }).port}`;
});
afterEach(() => {
  for (const k of keys) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});
afterAll(async () => {
  await new Promise<void>((resolve) => fake.close(() => resolve()));
  rmSync(home, { recursive: true, force: true });
});

describe('comfy-chaos doctor', () => {
  it('reports a server named by TOXIPROXY_URL as available, exit 0', async () => {
    process.env.TOXIPROXY_URL = fakeUrl;
    process.env.XDG_CACHE_HOME = join(home, 'cache');
    const run = await cli(['doctor', '--no-container']);
    expect(run.code).toBe(0);
    expect(run.out).toContain(`  env       available: Toxiproxy 2.12.0 at ${fakeUrl}\n`);
    expect(run.out).toContain(`  cache     ${join(home, 'cache', 'comfy-chaos', 'toxiproxy')}`);
    expect(run.out).toMatch(/ok: network-fault scenarios can run\n$/);
  });

  it('says a broken provider is broken, how to get each missing one, and exits 1 when none works', async () => {
    delete process.env.TOXIPROXY_URL;
    process.env.TOXIPROXY_BIN = join(home, 'no-such-toxiproxy');
    const run = await cli(['doctor', '--no-container']);
    expect(run.code).toBe(1);
    expect(run.out).toContain('  env       unavailable: TOXIPROXY_URL is not set\n            to get it: set TOXIPROXY_URL');
    expect(run.out).toContain(`  binary    present but broken: TOXIPROXY_BIN "${join(home, 'no-such-toxiproxy')}" is not an executable file`);
    expect(run.out).toContain('to get it: run `npx comfy-chaos toxiproxy install`');
    expect(run.out).toContain('  container not tried (--no-container)');
    expect(run.out).toMatch(/no Toxiproxy: network-fault scenarios will be skipped \(--strict: an error\); run `npx comfy-chaos toxiproxy install`/);
  });
});
