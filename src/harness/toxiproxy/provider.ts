import type { ProxyAddressing } from './addressing.ts';

/** Where a Toxiproxy server came from, in the order they are tried. */
export type ToxiproxyKind = 'env' | 'binary' | 'container';

export const TOXIPROXY_KINDS: readonly ToxiproxyKind[] = ['env', 'binary', 'container'];

/** A running Toxiproxy server, as a provider hands it over. */
export interface ToxiproxyServer {
  kind: ToxiproxyKind;
  /** Base URL of the API, reachable from this process, without a trailing slash. */
  url: string;
  /** What GET /version answered. */
  version: string;
  /** How proxy addresses translate between this process and the server. */
  addressing: ProxyAddressing;
  /** Stops what the provider started (nothing, for a server the user runs). Safe to call twice. */
  dispose(): Promise<void>;
}

/**
 * A provider either gives a server or says why it cannot here ("not installed", "no
 * Docker"). Something that is present but broken (a binary that crashes, a URL that does
 * not answer) is not "unavailable": the provider throws a `ToxiproxyHarnessError` with code
 * `TOXIPROXY_PROVIDER_FAILED`, because falling through would hide a real setup problem.
 */
export type ProviderOutcome =
  | { available: true; server: ToxiproxyServer }
  | { available: false; reason: string };

export interface ToxiproxyProvider {
  kind: ToxiproxyKind;
  start(): Promise<ProviderOutcome>;
}
