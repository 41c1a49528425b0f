import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// comfy-chaos as a client author gets it: `npm pack` (prepack builds dist/), then an install of the
// tarball into a fresh project under os.tmpdir(), where nothing of this repository's
// node_modules is reachable; the consumer's vitest, typescript and @types/node come from the
// registry. Then the commands of the README's quick start run there through npx.
// Set COMFY_CHAOS_PACKAGE_TEST=0 to skip (no registry reachable).
const ROOT = new URL('../../..', import.meta.url).pathname.replace(/\/$/, '');
const run = promisify(execFile);
const skip = process.env.COMFY_CHAOS_PACKAGE_TEST === '0';
const work = mkdtempSync(join(tmpdir(), 'cc-package-'));
const consumer = join(work, 'consumer');
let tarball = '';
let version = '';

/** The environment of the consumer's commands: no NODE_PATH or repository paths leaking in. */
function consumerEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra, CI: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
  env.NO_COLOR = '1';
  delete env.FORCE_COLOR;
  delete env.STOMP_BROKER_URL; // the STOMP relay check wants the package's own answer to "no broker"
  delete env.NODE_PATH;
  delete env.NODE_OPTIONS;
  delete env.VITEST;
  delete env.VITEST_WORKER_ID;
  delete env.VITEST_POOL_ID;
  delete env.TEST;
  delete env.NODE_ENV;
  for (const key of Object.keys(env)) if (key.startsWith('npm_') && !key.startsWith('npm_config_')) delete env[key];
  env.PATH = (env.PATH ?? '').split(':').filter((dir) => !dir.startsWith(ROOT)).join(':');
  return env;
}

async function inConsumer(command: string, args: string[], timeoutMs = 120_000) {
  try {
    const { stdout, stderr } = await run(command, args, { cwd: consumer, env: consumerEnv(), timeout: timeoutMs, maxBuffer: 32 * 1024 * 1024 });
    return { code: 0, out: stdout, err: stderr };
  } catch (error) {
    const e = error as { code?: number | string; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, out: e.stdout ?? '', err: `${e.stderr ?? ''}${typeof e.code === 'string' ? ` (${e.code})` : ''}` };
  }
}

/** The README's vitest example: the first ```ts block after its marker comment. */
function readmeVitestExample(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const marker = readme.indexOf('<!-- test/integration/package: the vitest example -->');
  expect(marker, 'the README marks its vitest example').toBeGreaterThan(0);
  const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(marker));
  expect(block, 'a ts block follows the marker').not.toBeNull();
  return block![1]!;
}

beforeAll(async () => {
  if (skip) return;
  // npm pack runs prepack (tsc into dist/); --json gives the file list, its size and the tarball's name.
  const packed = await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT, env: { ...process.env, npm_config_update_notifier: 'false' }, timeout: 240_000, maxBuffer: 32 * 1024 * 1024 }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
    throw new Error(`npm pack failed (prepack builds dist/ with tsc; a type error anywhere stops it):\n${error.stderr || error.message}\n${error.stdout ?? ''}`.slice(0, 8_000));
  });
  const info = (JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as Array<{ filename: string; size: number; unpackedSize: number; version: string; files: { path: string }[] }>)[0]!;
  tarball = join(work, info.filename);
  version = info.version;
  const paths = info.files.map((f) => f.path).sort();
  const byFolder = new Map<string, number>();
  for (const path of paths) {
    const folder = path.includes('/') ? path.split('/').slice(0, path.startsWith('dist/') ? 3 : 2).join('/') + '/' : path;
    byFolder.set(folder, (byFolder.get(folder) ?? 0) + 1);
  }
  console.log(`[package] ${info.filename}: ${paths.length} files, ${(info.size / 1024).toFixed(0)} KiB packed, ${(info.unpackedSize / 1024).toFixed(0)} KiB unpacked`);
  console.log(`[package] files by folder: ${[...byFolder].map(([f, n]) => `${f} ${n}`).join(', ')}`);
  console.log(`[package] file list:\n  ${paths.join('\n  ')}`);
  writeFileSync(join(work, 'files.txt'), paths.join('\n'));

  mkdirSync(consumer);
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'comfy-chaos-consumer', version: '1.0.0', private: true, type: 'module' }, null, 2));
  const vitestVersion = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies;
  const install = await inConsumer('npm', ['install', '--save-dev', '--prefer-offline', tarball, `vitest@${vitestVersion.vitest}`, `typescript@${vitestVersion.typescript}`, `@types/node@20`], 300_000);
  expect(install.code, install.err).toBe(0);
  const added = /added (\d+) packages?/.exec(install.out + install.err)?.[1];
  console.log(`[package] npm install of the tarball + vitest + typescript + @types/node: ${added ?? '?'} packages added`);
  // What comfy-chaos itself brings: its dependency tree in the consumer.
  const tree = await inConsumer('npm', ['query', '#comfy-chaos *'], 60_000);
  if (tree.code === 0) {
    const found = JSON.parse(tree.out) as { name: string; location: string }[];
    console.log(`[package] comfy-chaos's own dependencies: ${new Set(found.map((p) => p.location)).size} packages (${[...new Set(found.map((p) => p.name))].sort().join(', ')})`);
  }
}, 600_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe.skipIf(skip)('the installed package (npm pack, npm install in a fresh project)', () => {
  it('ships the build, bin, bundled drivers, reference relay and docs, and no tests, benches, CI, mutation config or TypeScript sources', () => {
    const paths = readFileSync(join(work, 'files.txt'), 'utf8').split('\n');
    for (const needed of ['bin/comfy-chaos.js', 'dist/src/cli/main.js', 'dist/src/testing/index.js', 'dist/src/testing/index.d.ts', 'dist/src/harness/toxiproxy/toxiproxy.version', 'clients/naive/no-reconnect.mjs', 'clients/examples/minimal-driver.mjs', 'dist/clients/relays/reference/reference-socketio.profile.yaml', 'dist/clients/relays/reference/relay.js', 'README.md', 'docs/write-a-driver.md', 'examples/github-actions/comfy-chaos.yml']) {
      expect(paths, needed).toContain(needed);
    }
    const unwanted = paths.filter((p) => /^(test|bench|\.ci|src|scripts|reports|node_modules)\//.test(p) || /stryker|vitest\.config|tsconfig/.test(p) || (/\.ts$/.test(p) && !p.endsWith('.d.ts')));
    expect(unwanted).toEqual([]);
  });

  it('imports at run time only its dependencies and Node built-ins (testcontainers, an optional peer, only behind a guard)', () => {
    const installed = join(consumer, 'node_modules', 'comfy-chaos');
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; peerDependenciesMeta: Record<string, { optional?: boolean }> };
    const allowed = new Set([...Object.keys(manifest.dependencies), ...Object.keys(manifest.peerDependenciesMeta ?? {})]);
    const paths = readFileSync(join(work, 'files.txt'), 'utf8').split('\n').filter((p) => /\.(m?js)$/.test(p));
    const imported = new Map<string, Set<string>>();
    for (const path of paths) {
      const text = readFileSync(join(installed, path), 'utf8');
      for (const m of text.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s*'([^'.][^']*)'|^\s*import\s*'([^'.][^']*)'|\bimport\(\s*'([^'.][^']*)'\s*\)/gm)) {
        const spec = m[1] ?? m[2] ?? m[3]!;
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
        if (!name.startsWith('node:')) imported.set(name, (imported.get(name) ?? new Set()).add(path));
      }
    }
    // tsx only where a checkout runs TypeScript source: the bin and the reference relay's launcher,
    // each behind a check that the source is there (it is not in the package).
    expect([...(imported.get('tsx') ?? [])].sort()).toEqual(['bin/comfy-chaos.js', 'dist/clients/relays/reference/relay.mjs']);
    imported.delete('tsx');
    expect([...imported].filter(([name]) => !allowed.has(name))).toEqual([]);
    expect([...imported.keys()]).toContain('fast-check');
    expect(manifest.peerDependenciesMeta.testcontainers).toEqual({ optional: true });
  });

  it('npx comfy-chaos --version, list', async () => {
    const v = await inConsumer('npx', ['comfy-chaos', '--version']);
    expect(v).toMatchObject({ code: 0, out: `${version}\n` });
    const list = await inConsumer('npx', ['comfy-chaos', 'list']);
    expect(list.code, list.err).toBe(0);
    expect(list.out).toMatch(/^2\.3 +terminate-between-executing-and-executed /m);
  });

  it('npx comfy-chaos run --client reference --scenario 1 --transport memory passes and writes a report', async () => {
    const r = await inConsumer('npx', ['comfy-chaos', 'run', '--client', 'reference', '--scenario', '1', '--transport', 'memory', '--report', 'reports/memory']);
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toMatch(/^(\d+) passed, 0 degraded, 0 failed, 0 skipped; report in reports\/memory$/m);
    expect(JSON.parse(readFileSync(join(consumer, 'reports/memory/results.json'), 'utf8'))).toBeTruthy();
  });

  it('npx comfy-chaos run with the bundled naive driver fails 2.3 (no Toxiproxy needed), and its replay line runs as printed', async () => {
    const driver = 'node node_modules/comfy-chaos/clients/naive/no-reconnect.mjs';
    const r = await inConsumer('npx', ['comfy-chaos', 'run', '--client', driver, '--scenario', '2.3', '--report', 'reports/naive'], 180_000);
    expect(r.code, r.out + r.err).toBe(1);
    expect(r.out).toMatch(/no-lost-completion \(job j1\)/);
    const replay = /replay: (comfy-chaos run .*)$/m.exec(r.out)?.[1];
    expect(replay).toBe(`comfy-chaos run --client '${driver}' --scenario 2.3 --transport network --seed 1`);
    const again = await inConsumer('sh', ['-c', `npx ${replay} --report reports/naive-replay`], 180_000);
    expect(again.code, again.out + again.err).toBe(1);
    expect(again.out).toMatch(/no-lost-completion \(job j1\)/);
  }, 400_000);

  it('npx comfy-chaos run --relay reference-socketio runs the bundled reference relay (compiled, from dist/) and passes 8.1', async () => {
    const r = await inConsumer('npx', ['comfy-chaos', 'run', '--relay', 'reference-socketio', '--scenario', '8.1', '--report', 'reports/relay'], 180_000);
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toMatch(/^pass +8\.1 +relay-three-users \[reference-socketio\]/m);
    // The STOMP relay needs a broker; the package names STOMP_BROKER_URL, not the repository's scripts.
    const stomp = await inConsumer('npx', ['comfy-chaos', 'run', '--relay', 'reference-stomp', '--scenario', '8.1', '--report', 'reports/relay-stomp'], 120_000);
    // Without a broker the relay is skipped with a note, or (COMFY_CHAOS_STRICT=1, as in CI) the run stops with exit 2; both say how to get one.
    expect(stomp.out + stomp.err).toMatch(process.env.COMFY_CHAOS_STRICT === '1' ? /comfy-chaos: no STOMP broker available .*set STOMP_BROKER_URL/ : /note: no STOMP broker, so relays that publish through one are skipped: .*set STOMP_BROKER_URL/);
    expect(stomp.out + stomp.err).not.toMatch(/scripts\//);
  }, 300_000);

  it('npx comfy-chaos serve --port 0 answers a request and stops on SIGTERM sent to npx', async () => {
    const child = spawn('npx', ['comfy-chaos', 'serve', '--port', '0'], { cwd: consumer, env: consumerEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c));
    child.stderr.on('data', (c: Buffer) => (output += c));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      const end = Date.now() + 60_000;
      let url: string | undefined;
      while (!(url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1]) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
      expect(url, output).toBeDefined();
      expect(await (await fetch(`${url}/queue`)).json()).toEqual({ queue_running: [], queue_pending: [] });
      child.kill('SIGTERM');
      await exited;
      // npm does not pass the signal on; comfy-chaos notices its parent is gone and stops itself.
      const stopBy = Date.now() + 10_000;
      let stopped = false;
      while (!stopped && Date.now() < stopBy) {
        stopped = await fetch(`${url}/queue`).then(() => false, () => true);
        if (!stopped) await new Promise((r) => setTimeout(r, 100));
      }
      expect(stopped, `the server at ${url} still answers after SIGTERM`).toBe(true);
    } finally {
      child.kill('SIGKILL');
    }
  }, 90_000);

  it("runs the README's vitest example verbatim with the consumer's own vitest", async () => {
    mkdirSync(join(consumer, 'test'), { recursive: true });
    writeFileSync(join(consumer, 'test', 'chaos.test.ts'), readmeVitestExample());
    const r = await inConsumer('npx', ['vitest', 'run', '--reporter=verbose'], 240_000);
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toMatch(/Tests +2 passed \(2\)/);
  }, 300_000);

  it('compiles a TypeScript file importing every public entry with the defaults of tsc --init', async () => {
    const init = await inConsumer('npx', ['tsc', '--init']);
    expect(init.code, init.out + init.err).toBe(0);
    writeFileSync(
      join(consumer, 'uses-entries.ts'),
      [
        "import { bundledDriver, expectScenario, referenceClient, scenarioTimeoutMs, startSimulator, type ScenarioResult } from 'comfy-chaos/vitest';",
        "import { catalogue, describeResult } from 'comfy-chaos';",
        "import { Simulator } from 'comfy-chaos/simulator';",
        "import { VirtualClock } from 'comfy-chaos/protocol';",
        "import { ReferenceClient } from 'comfy-chaos/reference-client';",
        "import { createNodeReferenceClient } from 'comfy-chaos/reference-client/node';",
        "import { executePlan, selectScenarios, type RunPlan } from 'comfy-chaos/run';",
        '',
        "export const passing: Promise<ScenarioResult> = expectScenario('2.3', referenceClient()).toPass();",
        "export const timeoutMs: number = scenarioTimeoutMs('2.3', bundledDriver('naive/no-reconnect'));",
        'export const sim = new Simulator({ seed: 1, clock: new VirtualClock() });',
        "export const plan: RunPlan = { scenarios: selectScenarios(['1.1']), clients: ['reference'], transport: 'memory', seed: 1, concurrency: 1, reportDir: 'r', strict: false };",
        'export const run: typeof executePlan = executePlan;',
        "export const first: string | undefined = catalogue[0]?.id;",
        'export { describeResult, startSimulator, ReferenceClient, createNodeReferenceClient };',
        '',
      ].join('\n'),
    );
    const tsc = await inConsumer('npx', ['tsc', '--noEmit', '-p', '.']);
    expect(tsc.out + tsc.err).toBe('');
    expect(tsc.code).toBe(0);
    // The check has teeth: a wrong use of the same types is an error.
    writeFileSync(join(consumer, 'misuses.ts'), "import { scenarioTimeoutMs } from 'comfy-chaos/vitest';\nexport const wrong: string = scenarioTimeoutMs('2.3');\n");
    const bad = await inConsumer('npx', ['tsc', '--noEmit', '-p', '.']);
    expect(bad.out).toMatch(/misuses\.ts\(2,14\): error TS2322: Type 'number' is not assignable to type 'string'/);
    rmSync(join(consumer, 'misuses.ts'));
  }, 180_000);
});
