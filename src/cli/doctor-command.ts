import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { binaryProvider, cachedToxiproxyBinary, containerProvider, envProvider, HOW_TO_GET_TOXIPROXY, TOXIPROXY_VERSION, type ToxiproxyKind, type ToxiproxyProvider } from '../harness/toxiproxy/index.ts';
import { describeError } from '../harness/toxiproxy/errors.ts';
import { packageVersion } from '../harness/package-info.ts';

/** What each provider needs, said as the fix when it is missing. */
const HOW_TO: Record<ToxiproxyKind, string> = {
  env: 'set TOXIPROXY_URL to a running Toxiproxy server, e.g. http://127.0.0.1:8474',
  binary: 'run `npx comfy-chaos toxiproxy install` (no Go needed), or put toxiproxy-server on PATH / in TOXIPROXY_BIN',
  container: 'start Docker and `npm install -D testcontainers`',
};

/** Tries one provider: starts it, reads its version, stops what it started. */
async function probe(provider: ToxiproxyProvider): Promise<{ ok: boolean; line: string }> {
  try {
    const outcome = await provider.start();
    if (!outcome.available) return { ok: false, line: `unavailable: ${outcome.reason}` };
    const { server } = outcome;
    await server.dispose();
    return { ok: true, line: `available: Toxiproxy ${server.version} at ${server.url}${server.kind === 'env' ? '' : ' (started and stopped again)'}` };
  } catch (error) {
    return { ok: false, line: `present but broken: ${describeError(error)}` };
  }
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('Say which Toxiproxy providers (and STOMP brokers) are available here, and how to get one')
    .option('--no-container', 'do not try Docker (it can take a while to answer)')
    .action(async (opts: { container: boolean }) => {
      const out = process.stdout;
      out.write(`comfy-chaos ${packageVersion()} on Node ${process.versions.node} (${process.platform}/${process.arch})\n`);
      out.write(`Toxiproxy ${TOXIPROXY_VERSION} is needed for the network-fault scenarios (group 4); the providers, in the order run tries them:\n`);
      const providers: Array<[ToxiproxyKind, ToxiproxyProvider | undefined]> = [
        ['env', envProvider()],
        ['binary', binaryProvider()],
        ['container', opts.container ? containerProvider() : undefined],
      ];
      let any = false;
      for (const [kind, provider] of providers) {
        const result = provider ? await probe(provider) : { ok: false, line: 'not tried (--no-container)' };
        any ||= result.ok;
        out.write(`  ${kind.padEnd(9)} ${result.line}\n`);
        if (!result.ok) out.write(`  ${''.padEnd(9)} to get it: ${HOW_TO[kind]}\n`);
      }
      const cached = cachedToxiproxyBinary();
      out.write(`  cache     ${cached} ${existsSync(cached) ? '(installed)' : '(not installed)'}\n`);
      out.write(`STOMP broker (relays with a STOMP downstream only): ${process.env.STOMP_BROKER_URL ? `STOMP_BROKER_URL=${process.env.STOMP_BROKER_URL}` : 'STOMP_BROKER_URL is not set'}\n`);
      out.write(any ? 'ok: network-fault scenarios can run\n' : `no Toxiproxy: network-fault scenarios will be skipped (--strict: an error); ${HOW_TO_GET_TOXIPROXY}\n`);
      process.exitCode = any ? 0 : 1;
    });
}
