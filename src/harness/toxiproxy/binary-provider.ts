import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join, resolve } from 'node:path';
import { once } from 'node:events';
import { loopbackAddressing } from './addressing.ts';
import { ToxiproxyHarnessError } from './errors.ts';
import { cachedToxiproxyBinary } from './release-download.ts';
import { packageRoot } from '../package-info.ts';
import type { ToxiproxyProvider } from './provider.ts';
import { waitForToxiproxy } from './readiness.ts';
import { isExecutable } from '../executable.ts';

export const TOXIPROXY_BINARY_NAME = 'toxiproxy-server';

/** Where scripts/install-toxiproxy.sh puts the binary in a checkout: `<repo>/.tools/bin`. */
const REPO_TOOLS_BIN = join(packageRoot(), '.tools', 'bin');
/** A checkout has src/; an installed package does not, and its messages do not name the checkout's folders. */
const IN_CHECKOUT = existsSync(join(packageRoot(), 'src'));

export interface BinaryProviderOptions {
  /** Where to read `TOXIPROXY_BIN` and `PATH`; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** An explicit binary; wins over `TOXIPROXY_BIN`, `PATH` and `.tools/bin`. */
  binary?: string;
  /** How long the server may take to answer GET /version, in ms. Default 10 000. */
  readyTimeoutMs?: number;
  /** How long `dispose` waits after SIGTERM before SIGKILL, in ms. Default 3 000. */
  stopTimeoutMs?: number;
}


/**
 * Finds the binary: `binary` option, then `TOXIPROXY_BIN` (which must then exist), then
 * `toxiproxy-server` on `PATH`, then the one `comfy-chaos toxiproxy install` put in the per-user
 * cache, then `.tools/bin` of this repository and of the working directory.
 */
export function findToxiproxyBinary(options: Pick<BinaryProviderOptions, 'env' | 'binary'> = {}): string | undefined {
  const env = options.env ?? process.env;
  const explicit = options.binary ?? env.TOXIPROXY_BIN;
  if (explicit) {
    if (!isExecutable(explicit)) {
      throw new ToxiproxyHarnessError(
        'TOXIPROXY_PROVIDER_FAILED',
        `${options.binary ? 'the toxiproxy binary' : 'TOXIPROXY_BIN'} "${explicit}" is not an executable file; ` +
          'fix the path, or unset it and run `npx comfy-chaos toxiproxy install`',
      );
    }
    return explicit;
  }
  const dirs = [...(env.PATH ?? '').split(delimiter).filter(Boolean)];
  const candidates = [...dirs.map((dir) => join(dir, TOXIPROXY_BINARY_NAME)), cachedToxiproxyBinary(env), ...[REPO_TOOLS_BIN, resolve('.tools/bin')].map((dir) => join(dir, TOXIPROXY_BINARY_NAME))];
  return candidates.find(isExecutable);
}

/** A port that was free on 127.0.0.1 a moment ago. */
export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('could not read the port of a probe socket');
  return address.port;
}

// Children still running when this process exits would outlive the test run.
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Starts a `toxiproxy-server` binary on a free port of 127.0.0.1 and stops it on dispose.
 * Proxies then listen on 127.0.0.1 too: nothing leaves loopback.
 */
export function binaryProvider(options: BinaryProviderOptions = {}): ToxiproxyProvider {
  return {
    kind: 'binary',
    async start() {
      const binary = findToxiproxyBinary(options);
      if (!binary) {
        return {
          available: false,
          reason: `no ${TOXIPROXY_BINARY_NAME} on PATH, in TOXIPROXY_BIN${IN_CHECKOUT ? `, in ${REPO_TOOLS_BIN}` : ''} or in the cache of \`comfy-chaos toxiproxy install\` (${cachedToxiproxyBinary(options.env ?? process.env)})`,
        };
      }
      // The free port can be taken between our probe and the server's bind; try a few.
      for (let attempt = 1; ; attempt++) {
        try {
          return { available: true, server: await startBinary(binary, await freeLoopbackPort(), options) };
        } catch (error) {
          if (attempt >= 3 || !(error instanceof PortTakenError)) throw error;
        }
      }
    },
  };
}

class PortTakenError extends ToxiproxyHarnessError {}

async function startBinary(binary: string, port: number, options: BinaryProviderOptions) {
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(binary, ['-host', '127.0.0.1', '-port', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: options.env ?? process.env,
  });
  running.add(child);
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4_000);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  let exited: string | undefined;
  let spawnError: Error | undefined;
  child.once('error', (error) => (spawnError = error));
  const exit = new Promise<void>((done) =>
    child.once('exit', (code, signal) => {
      exited = signal ? `killed by ${signal}` : `exited with code ${code}`;
      running.delete(child);
      done();
    }),
  );

  const stop = async () => {
    if (exited === undefined && !spawnError) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), options.stopTimeoutMs ?? 3_000);
      await exit;
      clearTimeout(timer);
    }
    running.delete(child);
  };

  try {
    const version = await waitForToxiproxy(url, {
      timeoutMs: options.readyTimeoutMs ?? 10_000,
      what: `${binary} (-host 127.0.0.1 -port ${port})`,
      abortReason: () => {
        if (spawnError) return `it could not be started: ${spawnError.message}`;
        // Toxiproxy logs a failed bind and keeps running, so the log is the only sign.
        if (/address already in use/.test(output)) return `port ${port} is taken`;
        if (exited) return `it ${exited}; its output: ${output.trim().slice(-1_000) || '(none)'}`;
        return undefined;
      },
    });
    let disposed: Promise<void> | undefined;
    return {
      kind: 'binary' as const,
      url,
      version,
      addressing: loopbackAddressing,
      dispose: () => (disposed ??= stop()),
    };
  } catch (error) {
    await stop();
    if (/address already in use/.test(output)) {
      throw new PortTakenError('TOXIPROXY_PROVIDER_FAILED', `port ${port} was taken before ${binary} could bind it`);
    }
    throw error;
  }
}
