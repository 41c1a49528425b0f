/**
 * What the runner needs of a client under test, whatever it is: the reference client running
 * in-process, or a driver process in any language (design.md, "Clients under test"). The runner
 * starts a session per scenario run, submits and cancels jobs, and hears back through
 * {@link ClientEvents}; everything it hears goes into the trace (src/harness/result.ts).
 */
import { minimalCapabilities, type ApiPrompt, type ComfyuiProfile, type DriverCapabilities, type DriverEvent } from '../../protocol/index.ts';
import type { BrowserAction, ClientHints } from '../../scenarios/scenario.ts';
import type { AcquiredToxiproxy } from '../toxiproxy/index.ts';
import { DriverProcess, type DriverCommandLine, type DriverProcessOptions } from './driver-process.ts';

/** Something that went wrong with the client itself rather than with a job. */
export interface ClientProblem {
  /**
   * - `junk`: a line on stdout that is not JSON or not a driver event (the line was skipped);
   * - `crash`: the client ended before it was asked to, with a non-zero code or a signal, or could not start;
   * - `exit`: it ended on its own with code 0 before it was asked to;
   * - `timeout`: it did not become ready in time (it was killed);
   * - `shutdown`: it did not exit within its time after `shutdown` and the end of its stdin (it was killed);
   * - `flood`: it sent more events (or junk lines) than the harness records (src/harness/adapters/event-budget.ts).
   */
  kind: 'junk' | 'crash' | 'exit' | 'timeout' | 'shutdown' | 'flood';
  message: string;
  /** For `junk`: `{ line, reason }`; for `crash`/`exit`: `{ code, signal, stderrTail }`; for `shutdown`: `{ waitedMs, signal }`; for `flood`: the bound or the counts. */
  detail?: unknown;
}

export interface ClientEvents {
  /** A validated event the client reported, with the window that reported it when it has windows. */
  onEvent(e: DriverEvent & { window?: string }): void;
  onProblem(p: ClientProblem): void;
  /** Anything else worth a trace line (a relay's downstream messages, refunds); not a report. */
  onRecord?(event: Record<string, unknown> & { type: string }): void;
}

/** How a client session ended. */
export interface ClientExit {
  /** The exit code, or null when it ended by a signal (or is in-process). */
  code: number | null;
  signal: string | null;
  /** The last lines the client wrote to stderr (at most 20). */
  stderrTail: string[];
}

export interface ClientSession {
  submit(job: { id: string; prompt: ApiPrompt; window: string }): void;
  cancel(id: string): void;
  /** Relays: something happens to a user's browser (scenario `browsers`). */
  browser?(action: BrowserAction): void;
  /** Asks the client to stop and resolves when it has (bounded: a driver that ignores it is killed). */
  shutdown(): Promise<ClientExit>;
  /**
   * What this session's client declared it can do (a driver's `ready`). When set, a scenario that
   * needs more is skipped right after the start (src/harness/adapters/capabilities.ts).
   */
  capabilities?: DriverCapabilities;
}

export interface ClientStartContext {
  /** The ComfyUI base URL (several comma-separated for a server pool). */
  comfyUrl: string;
  /** Every server of the run, in order [default: `comfyUrl` split on commas]. */
  comfyUrls?: string[];
  seed: number;
  hints: ClientHints;
  events: ClientEvents;
  /** Every window (user) that will submit jobs in this run, so a relay can open their browsers first. */
  windows?: string[];
  /** The run's Toxiproxy, for clients that put their own links through it (a relay's browsers). */
  toxiproxy?: AcquiredToxiproxy;
  /**
   * The PEM certificate (a test CA) to trust when the servers speak TLS (profile `gateway-tls`);
   * a driver finds it in `COMFY_CA_FILE` and the variables of {@link tlsTrustEnv}.
   */
  caFile?: string;
  /** The ComfyUI the run's simulators play, for clients that depend on it (the official frontend loads the version it pins). */
  comfyui?: ComfyuiProfile;
}

/**
 * The environment that tells a driver process to trust `caFile`: `COMFY_CA_FILE` (ours), and the
 * variables its runtime reads by itself: `NODE_EXTRA_CA_CERTS` (Node, added to its roots at start),
 * `SSL_CERT_FILE` (OpenSSL's default verify file: Python's ssl, aiohttp, httpx, websocket-client; Go),
 * `REQUESTS_CA_BUNDLE` (Python requests). The last three replace the system roots, which a run on
 * 127.0.0.1 does not need (docs/write-a-driver.md, "TLS").
 */
export function tlsTrustEnv(caFile: string): Record<string, string> {
  return { COMFY_CA_FILE: caFile, NODE_EXTRA_CA_CERTS: caFile, SSL_CERT_FILE: caFile, REQUESTS_CA_BUNDLE: caFile };
}

export interface ClientUnderTest {
  /** Shown in reports, e.g. `reference`, the driver's command line, or the label of `--client name=command`. */
  name: string;
  /** The `--client` argument that makes this client again, for replay commands [default `name`]. */
  spec?: string;
  /** Which transports it can run on; a driver process reaches the simulator over the network only. */
  transports: Array<'memory' | 'network'>;
  /** A relay with browsers behind it: runs the relay scenarios (group 8), and only those. */
  relay?: boolean;
  /** Why this client cannot run here (a service it needs is missing): its runs are skipped with this reason. */
  unavailable?: string;
  /**
   * What the client can do, when known before it starts (in-process clients; a driver's, once its
   * first session declared them): a scenario that needs more is skipped without starting it.
   * Unset: only what a session declares is checked, and a client that declares nothing is not.
   */
  capabilities?: DriverCapabilities;
  /** Starts one session; rejects (with a message that names the client) if it cannot start. */
  start(context: ClientStartContext): Promise<ClientSession>;
  /**
   * Checks, before any scenario runs, that the client can run on these ComfyUI profiles; throws a
   * UsageError with the fix when it cannot (the frontend: the version a profile pins is not installed).
   */
  checkProfiles?(profiles: readonly ComfyuiProfile[]): void;
  /** Releases what the client's sessions share (the frontend's browser); the run calls it once, at its end. */
  dispose?(): Promise<void>;
}

/**
 * A client under test that is a driver process speaking the driver protocol
 * (src/protocol/driver.ts). Each `start` spawns a fresh process and waits until it is ready.
 * `COMFY_URL` is the first server, `COMFY_URLS` all of them. What the driver declares in `ready`
 * (the minimal capabilities when it declares nothing) is its session's, and the client's from
 * then on, so later scenarios it cannot run are skipped without starting it.
 *
 * ```ts
 * const client = driverClient('naive no-reconnect', 'node clients/naive/no-reconnect.mjs');
 * ```
 */
export function driverClient(
  name: string,
  commandLine: DriverCommandLine,
  options: Pick<DriverProcessOptions, 'cwd' | 'env' | 'readyTimeoutMs' | 'shutdownTimeoutMs' | 'killGraceMs'> = {},
): ClientUnderTest {
  const client: ClientUnderTest = {
    name,
    transports: ['network'],
    async start(context) {
      const urls = context.comfyUrls ?? context.comfyUrl.split(',').map((u) => u.trim());
      const driver = new DriverProcess({
        ...options,
        command: commandLine,
        comfyUrl: urls[0] ?? context.comfyUrl,
        comfyUrls: urls,
        seed: context.seed,
        hints: context.hints,
        ...(context.caFile ? { env: { ...options.env, ...tlsTrustEnv(context.caFile) } } : {}),
      });
      const windowOf = new Map<string, string>();
      driver.onEvent((event) => {
        if (event.type === 'ready') return; // the handshake, not something the client told its user
        const window = 'id' in event ? windowOf.get(event.id) : undefined;
        context.events.onEvent(window === undefined ? event : { ...event, window });
      });
      driver.onProblem((problem) => context.events.onProblem(problem));
      await driver.start();
      const capabilities = { ...minimalCapabilities, ...driver.capabilities };
      client.capabilities = capabilities;
      return {
        capabilities,
        submit(job) {
          windowOf.set(job.id, job.window);
          driver.submit(job.id, job.prompt, job.window);
        },
        cancel(id) {
          driver.cancel(id);
        },
        shutdown: () => driver.shutdown(),
      };
    },
  };
  return client;
}
