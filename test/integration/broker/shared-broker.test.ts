import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { acquireStompBroker, findRabbitmqServer, RABBITMQ_SCRIPT, waitForStompBroker } from '../../../src/harness/broker/index.ts';

// Several test processes share the project's private broker: whoever started it must not stop it
// under the others; the last one to let go stops it.
const strict = process.env.COMFY_CHAOS_STRICT === '1';
const holders = fileURLToPath(new URL('../../../.tools/rabbitmq/holders', import.meta.url));
const running = () => spawnSync(RABBITMQ_SCRIPT, ['status'], { encoding: 'utf8', timeout: 20_000 }).status === 0;
const liveHolders = () =>
  (existsSync(holders) ? readdirSync(holders) : []).filter((name) => {
    const pid = Number(name.split('-')[0]);
    if (!Number.isInteger(pid) || pid <= 0) return false;
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  });

describe('the private RabbitMQ shared by several users', () => {
  it('keeps running while anyone still holds it, and the last holder stops it', async (context) => {
    if (!findRabbitmqServer()) {
      if (strict) throw new Error('COMFY_CHAOS_STRICT=1 and rabbitmq-server is not installed: run scripts/install-rabbitmq.sh');
      context.skip('rabbitmq-server is not installed: run scripts/install-rabbitmq.sh');
    }
    const env = { ...process.env };
    delete env.STOMP_BROKER_URL;
    const first = await acquireStompBroker({ env, strict: true });
    const second = await acquireStompBroker({ env, strict: true });
    if (first.status !== 'ready' || second.status !== 'ready') throw new Error('no broker');
    expect(second.url).toBe(first.url);
    await first.dispose();
    expect(running()).toBe(true);
    const info = await waitForStompBroker(second.url, second.login, second.passcode, 10_000);
    expect(info.version).toMatch(/^1\.[012]$/);
    const othersBefore = liveHolders().filter((name) => !name.startsWith(`${process.pid}-`)).length;
    await second.dispose();
    // Another test process (the relay tests) may hold it too; then it is theirs to stop.
    if (othersBefore === 0 && liveHolders().length === 0) expect(running()).toBe(false);
  }, 120_000);
});
