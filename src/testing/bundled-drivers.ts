import { join } from 'node:path';
import { driverClient as harnessDriverClient, type ClientUnderTest } from '../harness/adapters/client-under-test.ts';
import type { DriverProcessOptions } from '../harness/adapters/driver-process.ts';
import { shellQuote } from '../harness/client-spec.ts';
import { packageRoot } from '../harness/package-info.ts';

/**
 * The driver processes shipped in the package, by name, with the file each one runs (relative to
 * the package's folder). The naive drivers are deliberately wrong (README, "Naive drivers"); the
 * minimal driver is the starting point of docs/write-a-driver.md.
 */
export const bundledDrivers = {
  'naive/no-reconnect': { program: 'node', file: 'clients/naive/no-reconnect.mjs' },
  'naive/reconnect-no-resync': { program: 'node', file: 'clients/naive/reconnect-no-resync.mjs' },
  'naive/strict-json': { program: 'node', file: 'clients/naive/strict-json.mjs' },
  'examples/minimal-driver': { program: 'node', file: 'clients/examples/minimal-driver.mjs' },
  'examples/minimal-driver-python': { program: 'python3', file: 'clients/examples/minimal_driver.py' },
} as const;

export type BundledDriverName = keyof typeof bundledDrivers;

export const bundledDriverNames = Object.keys(bundledDrivers) as BundledDriverName[];

/** Thrown for a name that is not a bundled driver; the message lists the known ones. */
export class UnknownBundledDriverError extends TypeError {
  override name = 'UnknownBundledDriverError';
  readonly code = 'CC_ERR_UNKNOWN_DRIVER';
}

/**
 * The command line that runs a bundled driver, with the absolute path of its file in this
 * installation: what `comfy-chaos run --client "<command>"` takes, and what a replay line prints.
 * Node drivers run with the `node` on PATH (the harness spawns the command as written).
 */
export function bundledDriverCommand(name: BundledDriverName): string {
  const driver = bundledDrivers[name];
  if (!driver) throw new UnknownBundledDriverError(`comfy-chaos: no bundled driver "${String(name)}" (bundled: ${bundledDriverNames.join(', ')})`);
  return `${driver.program} ${shellQuote(join(packageRoot(), driver.file))}`;
}

export type DriverClientOptions = Pick<DriverProcessOptions, 'cwd' | 'env' | 'readyTimeoutMs' | 'shutdownTimeoutMs' | 'killGraceMs'>;

/** The command line each driver client was made from, for replay lines that run as printed. */
const commands = new WeakMap<ClientUnderTest, string>();

/** Remembers the command line (or `--client` value) that makes this client from the CLI. */
export function registerCommand(client: ClientUnderTest, command: string): void {
  commands.set(client, command);
}

/**
 * The command line a client was made from (`driverClient`, `bundledDriver`, `referenceClient`),
 * else the `--client` argument the harness kept (`spec`, for clients made by `clientFromSpec`).
 */
export function commandOf(client: ClientUnderTest): string | undefined {
  return commands.get(client) ?? client.spec;
}

/**
 * A client under test that is a driver process: `name` labels it in results, `command` is the
 * command line the harness spawns (split like a simple shell would; no pipes or variables).
 */
export function driverClient(name: string, command: string, options: DriverClientOptions = {}): ClientUnderTest {
  const client = harnessDriverClient(name, command, options);
  commands.set(client, command);
  return client;
}

/** A bundled driver as a client under test, named by its name: `bundledDriver('naive/no-reconnect')`. */
export function bundledDriver(name: BundledDriverName, options: DriverClientOptions = {}): ClientUnderTest {
  return driverClient(name, bundledDriverCommand(name), options);
}
