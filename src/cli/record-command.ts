import type { Command } from 'commander';
import { RecordingProxy } from '../harness/record/recording-proxy.ts';
import { shellQuote } from '../harness/client-spec.ts';
import { UsageError } from '../harness/usage-error.ts';

/** `host:port`, `[::1]:port` or a bare port (on 127.0.0.1). */
function parseListen(value: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(value) ?? /^()()(\d+)$/.exec(value);
  const port = match ? Number(match[3]) : NaN;
  if (!match || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--listen must be host:port, e.g. 127.0.0.1:8189 (port 0 picks a free one) (got "${value}")`);
  }
  return { host: match[1] || match[2] || '127.0.0.1', port };
}

const isLoopback = (host: string) => host === 'localhost' || host === '::1' || host.startsWith('127.');

export function registerRecord(program: Command): void {
  program
    .command('record')
    .description('A transparent HTTP + WebSocket proxy in front of a real ComfyUI that records the traffic as a trace (then: comfy-chaos import / replay)')
    .requiredOption('--upstream <url>', 'the ComfyUI to record, e.g. http://127.0.0.1:8188')
    .option('--listen <host:port>', 'where clients connect instead of the upstream (loopback unless you mean otherwise)', '127.0.0.1:8189')
    .requiredOption('--out <file>', 'the trace to write (JSON lines, the simulator trace format)')
    .option('--max-body-bytes <n>', 'largest part of an HTTP body kept in the trace (the rest is forwarded, not kept)', '1048576')
    .action(async (opts: { upstream: string; listen: string; out: string; maxBodyBytes: string }) => {
      const { host, port } = parseListen(opts.listen);
      const maxTraceBodyBytes = Number(opts.maxBodyBytes);
      if (!Number.isInteger(maxTraceBodyBytes) || maxTraceBodyBytes < 1024) throw new UsageError(`--max-body-bytes must be an integer of at least 1024 (got "${opts.maxBodyBytes}")`);
      let proxy: RecordingProxy;
      try {
        proxy = new RecordingProxy({ upstream: opts.upstream, host, port, out: opts.out, maxTraceBodyBytes });
      } catch (error) {
        throw new UsageError(`--upstream: ${(error as Error).message.replace(/^RecordingProxy: /, '')}`);
      }
      let listening;
      try {
        listening = await proxy.listen();
      } catch (error) {
        await proxy.close().catch(() => undefined);
        throw new UsageError(`cannot listen on ${opts.listen}: ${(error as Error).message} (try another --listen port, or 0)`);
      }
      if (!isLoopback(host)) process.stderr.write(`warning: listening on ${host}, not loopback: anyone who can reach it can use the upstream ComfyUI\n`);
      process.stdout.write(`comfy-chaos record: proxy listening on ${listening.url} -> ${opts.upstream}, writing ${opts.out} (Ctrl-C to stop)\n`);
      await new Promise<void>((resolve) => {
        for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => resolve());
      });
      await proxy.close();
      const s = proxy.stats;
      process.stdout.write(
        `comfy-chaos record stopped: ${s.http} HTTP exchanges, ${s.connections} sockets, ${s.framesFromServer + s.framesFromClient} frames in ${opts.out}\n` +
          `next: comfy-chaos import ${shellQuote(opts.out)} --out scenario.yaml, or comfy-chaos replay ${shellQuote(opts.out)} --client reference\n`,
      );
    });
}
