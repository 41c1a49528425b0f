import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AcquiredToxiproxy, SkippedToxiproxy } from '../../../src/harness/toxiproxy/index.ts';
import { connect, connectOutcome, roundTrip, startEchoServer, waitForEnd, type EchoServer } from './net-helpers.ts';

export interface ProviderContract {
  name: string;
  /** Resolves to a server, or to a skipped result; throws in strict mode (which fails the suite). */
  acquire: () => Promise<AcquiredToxiproxy | SkippedToxiproxy>;
  /** Whether dispose must stop the server (false for a server the user runs). */
  ownsServer: boolean;
  /** Cleanup after the suite (e.g. a server started to stand in for the user's). */
  after?: () => Promise<void>;
}

const LATENCY_MS = 300;

/**
 * What every provider must do: give a server that proxies to a loopback upstream,
 * applies a toxic, partitions and heals, and goes away on dispose when it owns the server.
 */
export function describeProviderContract(contract: ProviderContract): void {
  describe(`${contract.name} provider`, () => {
    let toxiproxy: AcquiredToxiproxy | undefined;
    let skippedBecause = 'the provider was not started';
    // In strict mode acquire() throws; every test then fails with that error (not just the hook).
    let failure: unknown;
    let echo: EchoServer;
    let proxyAddress = '';

    beforeAll(async () => {
      echo = await startEchoServer();
      const result = await contract.acquire().catch((error: unknown) => {
        failure = error;
        return undefined;
      });
      if (!result) return;
      if (result.status === 'skipped') {
        skippedBecause = result.reason;
        return;
      }
      toxiproxy = result;
    }, 90_000);

    afterAll(async () => {
      await toxiproxy?.dispose();
      await echo?.close();
      await contract.after?.();
    });

    const ready = (skip: (note?: string) => never): AcquiredToxiproxy => {
      if (failure !== undefined) throw failure;
      return toxiproxy ?? skip(skippedBecause);
    };

    it('passes traffic through a proxy to a loopback echo server', async ({ skip }) => {
      const tp = ready(skip);
      expect(tp.version).toMatch(/^\d+\.\d+\.\d+/);
      const proxy = await tp.client.createProxy({ name: `echo_${tp.kind}`, upstream: echo.address });
      proxyAddress = proxy.address;
      expect(proxy.host).toBe('127.0.0.1');
      const { reply, ended } = await roundTrip(proxy.address, 'hello through toxiproxy');
      expect(ended).toBeUndefined();
      expect(reply).toBe('hello through toxiproxy');
    });

    it('delays replies by at least the latency of a downstream latency toxic', async ({ skip }) => {
      const tp = ready(skip);
      const proxy = await tp.client.getProxy(`echo_${tp.kind}`);
      const toxic = await proxy.addToxic({ type: 'latency', attributes: { latency: LATENCY_MS } });
      expect(toxic).toMatchObject({ name: 'latency_downstream', stream: 'downstream', toxicity: 1 });
      const slow = await roundTrip(proxyAddress, 'slow');
      expect(slow.reply).toBe('slow');
      // Lower bound only: a loaded machine may be slower, never faster (1 ms for timer rounding).
      expect(slow.elapsedMs).toBeGreaterThanOrEqual(LATENCY_MS - 1);
      await proxy.removeToxic(toxic.name);
      expect(await proxy.toxics()).toEqual([]);
    });

    it('refuses connections while disabled, drops live ones, and recovers when enabled', async ({ skip }) => {
      const tp = ready(skip);
      const proxy = await tp.client.getProxy(`echo_${tp.kind}`);
      const live = await connect(proxyAddress);
      const liveEnded = waitForEnd(live);
      await proxy.disable();
      expect(await liveEnded).not.toBe('timeout');
      live.destroy();
      expect(await connectOutcome(proxyAddress)).toBe('ECONNREFUSED');
      await proxy.enable();
      expect((await roundTrip(proxyAddress, 'healed')).reply).toBe('healed');
    });

    it(contract.ownsServer ? 'stops the server on dispose' : 'leaves the server running on dispose', async ({ skip }) => {
      const tp = ready(skip);
      await tp.dispose();
      await tp.dispose(); // twice is harmless
      if (contract.ownsServer) {
        await expect(fetch(`${tp.url}/version`)).rejects.toThrow();
        expect(await connectOutcome(proxyAddress)).toBe('ECONNREFUSED');
      } else {
        expect((await fetch(`${tp.url}/version`)).ok).toBe(true);
        await (await tp.client.getProxy(`echo_${tp.kind}`)).remove();
      }
      toxiproxy = undefined;
    });
  });
}
