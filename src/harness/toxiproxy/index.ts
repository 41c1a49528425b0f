import { binaryProvider, type BinaryProviderOptions } from './binary-provider.ts';
import { containerProvider, type ContainerProviderOptions } from './container-provider.ts';
import { ToxiproxyControl, type ToxiproxyChange } from './control.ts';
import { envProvider } from './env-provider.ts';
import { ToxiproxyHarnessError } from './errors.ts';
import { TOXIPROXY_KINDS, type ToxiproxyKind, type ToxiproxyProvider } from './provider.ts';

export { loopbackAddressing, bridgeAddressing, splitHostPort, type ProxyAddressing } from './addressing.ts';
export { binaryProvider, findToxiproxyBinary, freeLoopbackPort, TOXIPROXY_BINARY_NAME, type BinaryProviderOptions } from './binary-provider.ts';
export { containerProvider, type ContainerProviderOptions } from './container-provider.ts';
export { ProxyControl, ToxiproxyControl, type CreateProxyOptions, type ToxiproxyChange, type ToxiproxyControlOptions } from './control.ts';
export { envProvider, type EnvProviderOptions } from './env-provider.ts';
export { ToxiproxyHarnessError, type ToxiproxyErrorCode } from './errors.ts';
export { TOXIPROXY_KINDS, type ProviderOutcome, type ToxiproxyKind, type ToxiproxyProvider, type ToxiproxyServer } from './provider.ts';
export { readToxiproxyVersion, waitForToxiproxy, type ReadinessOptions } from './readiness.ts';
export { normalizeToxic, toxicSpec, type Toxic, type ToxicSpec, type ToxicStream, type ToxicType } from './toxics.ts';
export { TOXIPROXY_IMAGE, TOXIPROXY_VERSION } from './version.ts';
export { cachedToxiproxyBinary, comfyChaosCacheDir, installToxiproxy, toxiproxyAssetName, TOXIPROXY_RELEASE_BASE_URL, type InstalledToxiproxy, type InstallToxiproxyOptions } from './release-download.ts';
export { PINNED_RELEASE } from './release-checksums.ts';

/** What to tell a person who has no Toxiproxy. */
export const HOW_TO_GET_TOXIPROXY =
  'run `npx comfy-chaos toxiproxy install` (downloads the pinned release binary and checks its SHA-256; no Go needed), ' +
  'or set TOXIPROXY_URL to a running server (e.g. http://127.0.0.1:8474), or put toxiproxy-server on PATH, ' +
  'or run Docker with the testcontainers package installed (`npm install -D testcontainers`); `npx comfy-chaos doctor` says what is there';

export interface AcquireToxiproxyOptions {
  /**
   * When no provider can give a server: throw (`TOXIPROXY_UNAVAILABLE`) instead of
   * returning a skipped result. Default: true when COMFY_CHAOS_STRICT=1.
   */
  strict?: boolean;
  /** Try this kind first, then the others in the usual order. */
  preferred?: ToxiproxyKind;
  /** Try only these kinds (in the usual order, `preferred` first). Default: all. */
  only?: readonly ToxiproxyKind[];
  /** Environment for TOXIPROXY_URL, TOXIPROXY_BIN, PATH and COMFY_CHAOS_STRICT. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  binary?: BinaryProviderOptions;
  container?: ContainerProviderOptions;
  /** Told of every proxy and toxic change made through `client`. */
  onChange?: (change: ToxiproxyChange) => void;
  /** Replaces the built-in providers (tests). */
  providers?: Partial<Record<ToxiproxyKind, ToxiproxyProvider>>;
}

export interface AcquiredToxiproxy {
  status: 'ready';
  kind: ToxiproxyKind;
  url: string;
  version: string;
  client: ToxiproxyControl;
  /** Stops the server if the provider started it. Safe to call twice. */
  dispose(): Promise<void>;
}

export interface SkippedToxiproxy {
  status: 'skipped';
  /** One line for a report: what was tried, why each failed, and how to get one. */
  reason: string;
  tried: { kind: ToxiproxyKind; reason: string }[];
}

export function isStrict(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.COMFY_CHAOS_STRICT === '1' || env.COMFY_CHAOS_STRICT === 'true';
}

/**
 * Gets a Toxiproxy server from the first provider that has one: `TOXIPROXY_URL`, then a
 * `toxiproxy-server` binary, then Docker. A provider that is present but broken throws;
 * none at all gives `{ status: 'skipped' }`, or throws when strict.
 */
export async function acquireToxiproxy(options: AcquireToxiproxyOptions = {}): Promise<AcquiredToxiproxy | SkippedToxiproxy> {
  const env = options.env ?? process.env;
  const strict = options.strict ?? isStrict(env);
  for (const kind of options.only ?? []) {
    if (!TOXIPROXY_KINDS.includes(kind)) {
      throw new ToxiproxyHarnessError(
        'TOXIPROXY_INVALID_ARGUMENT',
        `toxiproxy: unknown provider "${kind}"; expected one of ${TOXIPROXY_KINDS.join(', ')}`,
      );
    }
  }
  const builtIn: Record<ToxiproxyKind, () => ToxiproxyProvider> = {
    env: () => envProvider({ env }),
    binary: () => binaryProvider({ env, ...options.binary }),
    container: () => containerProvider(options.container),
  };
  const order = [...TOXIPROXY_KINDS]
    .filter((kind) => !options.only || options.only.includes(kind))
    .sort((a, b) => Number(b === options.preferred) - Number(a === options.preferred));

  const tried: SkippedToxiproxy['tried'] = [];
  for (const kind of order) {
    const provider = options.providers?.[kind] ?? builtIn[kind]();
    const outcome = await provider.start();
    if (outcome.available) {
      const { server } = outcome;
      return {
        status: 'ready',
        kind: server.kind,
        url: server.url,
        version: server.version,
        client: new ToxiproxyControl(server.url, { addressing: server.addressing, onChange: options.onChange }),
        dispose: server.dispose,
      };
    }
    tried.push({ kind, reason: outcome.reason });
  }
  const reason =
    `no Toxiproxy server available (${tried.map((t) => `${t.kind}: ${t.reason}`).join('; ') || 'no provider tried'}); ` +
    HOW_TO_GET_TOXIPROXY;
  if (strict) {
    throw new ToxiproxyHarnessError('TOXIPROXY_UNAVAILABLE', `${reason} (strict mode: a missing Toxiproxy is an error)`);
  }
  return { status: 'skipped', reason, tried };
}
