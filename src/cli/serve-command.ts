import { existsSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import { faultSchedule } from '../protocol/index.ts';
import type { FaultInput } from '../protocol/index.ts';
import { comfyuiProfileNames, findComfyuiProfile, Simulator } from '../simulator/index.ts';
import { clientBasePath } from '../protocol/index.ts';
import { findFrontend, FrontendNotFoundError, frontendRoutes, type FoundFrontend } from '../simulator/index.ts';
import { loadNodeFile, type LoadedNodeFile } from '../harness/node-file.ts';
import { NodeFileError } from '../protocol/index.ts';
import { UsageError } from '../harness/usage-error.ts';
import { parseYamlStrictly, readPlainFile } from '../scenarios/plain-file.ts';
import { describeServeTls, resolveServeTls, type ServeTlsOptions } from './serve-tls.ts';

/** What `serve --scenario` reads: a scenario file's `faults` (other keys are the harness's). */
const serveScenarioFile = z.looseObject({ faults: faultSchedule.default([]) });

function intOption(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max} (got "${value}")`);
    return n;
  };
}

export function loadFaultsFromScenarioFile(path: string): FaultInput[] {
  let text: string;
  try {
    // A regular file of at most 16 MiB (a FIFO would block serve for ever), YAML without tags or duplicate keys.
    text = readPlainFile(path);
  } catch (error) {
    throw new UsageError(`cannot read scenario file ${path}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = path.endsWith('.json') ? JSON.parse(text) : parseYamlStrictly(text);
  } catch (error) {
    throw new UsageError(`scenario file ${path} is not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message}`);
  }
  const parsed = serveScenarioFile.safeParse(value);
  if (!parsed.success) throw new UsageError(`scenario file ${path} is invalid:\n${z.prettifyError(parsed.error)}`);
  return parsed.data.faults;
}

/**
 * `serve | head -1`: once the reader of stdout (or stderr) is gone, a write fails with EPIPE, and
 * an unhandled stream error would end the process. The simulator is what matters (a script reads
 * the URL and goes on using the server), so it goes on serving and the output is dropped. This
 * replaces bin/comfy-chaos.js's handler, which ends other commands quietly on EPIPE.
 */
export function keepServingWithoutOutput(stream: NodeJS.WriteStream): void {
  stream.removeAllListeners('error');
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') process.exitCode = 1;
  });
}

/** Writes a line unless the stream's reader has gone. */
function say(stream: NodeJS.WriteStream, line: string): void {
  if (!stream.destroyed && stream.writable) stream.write(line);
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Run the ComfyUI simulator standalone, so any client can be pointed at it')
    .option('--host <host>', 'address to bind (loopback unless you mean otherwise)', '127.0.0.1')
    .option('--port <port>', 'port to listen on; 0 picks a free one', intOption('port', 0, 65535), 8188)
    .option('--scenario <file>', 'a scenario file (YAML or JSON) whose faults the simulator applies')
    .option('--seed <n>', 'seed for prompt ids and sids', intOption('seed', 0, 2 ** 32 - 1), 1)
    .option('--trace <file>', 'write the trace (JSON lines) to this file')
    .option('--previews', 'send a JPEG preview per sampler step', false)
    .option('--comfyui <version>', `which ComfyUI to be: ${comfyuiProfileNames.join(', ')} [default 0.3.64]`)
    .option('--frontend <dir|version|auto>', 'serve a ComfyUI frontend at / (its static folder, a version in .tools/frontend, or auto: find comfyui-frontend-package)')
    .option('--python <interpreter>', 'with --frontend auto: the Python environment whose comfyui-frontend-package to serve')
    .option('--user-dir <dir>', 'keep settings and saved workflows (the user directory) in this folder instead of in memory')
    .option('--nodes <file>', 'a node file (YAML or JSON): node classes added to /object_info, with how the simulator runs them (examples/custom-nodes.yaml)')
    .option('--extensions <dir...>', 'folders of frontend extensions (a custom node\'s web directory): their .js listed in /extensions and served at /extensions/<folder name>/')
    .option('--tls', 'serve HTTPS and WSS with a loopback test certificate made with openssl (its CA file is printed); implied by --comfyui gateway-tls', false)
    .option('--tls-keyfile <file>', 'serve HTTPS and WSS with this PEM key (with --tls-certfile), as ComfyUI takes them')
    .option('--tls-certfile <file>', 'the PEM certificate for --tls-keyfile')
    .action(async (opts: { host: string; port: number; scenario?: string; seed: number; trace?: string; previews: boolean; comfyui?: string; frontend?: string; python?: string; userDir?: string; extensions?: string[]; nodes?: string } & ServeTlsOptions) => {
      const faults = opts.scenario ? loadFaultsFromScenarioFile(opts.scenario) : [];
      let nodes: LoadedNodeFile | undefined;
      try {
        nodes = opts.nodes ? loadNodeFile(opts.nodes) : undefined;
      } catch (error) {
        if (error instanceof NodeFileError) throw new UsageError(`--nodes: ${error.message}`);
        throw error;
      }
      if (opts.python && opts.frontend !== 'auto') throw new UsageError('--python only goes with --frontend auto (it says which Python environment to look in)');
      let frontend: FoundFrontend | undefined;
      try {
        frontend = opts.frontend ? findFrontend(opts.frontend, { python: opts.python }) : undefined;
      } catch (error) {
        if (error instanceof FrontendNotFoundError) throw new UsageError(error.message);
        throw error;
      }
      for (const dir of opts.extensions ?? []) {
        if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`--extensions ${dir}: no such folder (give the folder holding the extension's .js files)`);
      }
      let served;
      try {
        served = frontend || opts.extensions?.length ? frontendRoutes(frontend?.staticDir, opts.extensions) : undefined;
      } catch (error) {
        throw new UsageError(`--extensions: ${(error as Error).message}`);
      }
      let profile;
      try {
        profile = findComfyuiProfile(opts.comfyui ?? '0.3.64');
      } catch (error) {
        throw new UsageError(`--comfyui: ${(error as Error).message}`);
      }
      const tls = await resolveServeTls(opts, profile);
      // A long-running server keeps no trace in memory; --trace streams it to a file instead.
      keepServingWithoutOutput(process.stdout);
      keepServingWithoutOutput(process.stderr);
      const sim = new Simulator({
        seed: opts.seed,
        faults,
        traceFile: opts.trace,
        previews: opts.previews,
        profile,
        keepTrace: false,
        routes: served?.routes,
        fallbackRoutes: served?.fallbackRoutes,
        userDir: opts.userDir,
        catalogue: nodes?.catalogue,
        // An error of the simulator's own: said on stderr (and in the trace); the simulator goes on.
        onInternalError: (where, error) =>
          say(process.stderr, `comfy-chaos simulator: internal error (${where}): ${(error as Error).stack ?? String(error)}\n(the simulator goes on serving)\n`),
      });
      let server;
      try {
        server = await sim.listen({ host: opts.host, port: opts.port, ...(tls ? { tlsFiles: tls } : {}) });
      } catch (error) {
        throw new UsageError(`cannot listen on ${opts.host}:${opts.port}: ${(error as Error).message} (try another --port, or 0)`);
      }
      const base = server.url + clientBasePath(profile);
      say(process.stdout, `comfy-chaos simulator (ComfyUI ${profile.name}) listening on ${base} (ws: ${base.replace('http', 'ws')}/ws)\n`);
      if (tls) say(process.stdout, describeServeTls(tls));
      if (frontend) say(process.stdout, `frontend ${frontend.version ?? '(version unknown)'} at ${base}/ from ${frontend.staticDir}\n`);
      if (nodes) {
        const replaced = nodes.replaced.length ? ` (replacing the core ${nodes.replaced.join(', ')})` : '';
        say(process.stdout, `nodes: ${nodes.added.length} from ${opts.nodes}${replaced}: ${nodes.added.slice(0, 10).join(', ')}${nodes.added.length > 10 ? ', ...' : ''}\n`);
      }
      if (faults.length) say(process.stdout, `faults: ${faults.length} from ${opts.scenario}\n`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        // Ctrl-C, `kill` and a closed terminal all stop the server the same way.
        for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, stop);
      });
      await sim.close();
      say(process.stdout, 'comfy-chaos simulator stopped\n');
    });
}
