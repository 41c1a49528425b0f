/**
 * Toxiproxy without Go: the pinned release binary, downloaded from the official GitHub release,
 * checked against the SHA-256 pinned in this package (release-checksums.ts) and kept in a per-user
 * cache that the binary provider searches (`comfy-chaos toxiproxy install`).
 */
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { describeError, ToxiproxyHarnessError } from './errors.ts';
import { PINNED_RELEASE } from './release-checksums.ts';
import { TOXIPROXY_VERSION } from './version.ts';

/** Where release assets are downloaded from; `COMFY_CHAOS_TOXIPROXY_BASE_URL` overrides it (a mirror, or a test's loopback server). */
export const TOXIPROXY_RELEASE_BASE_URL = 'https://github.com/Shopify/toxiproxy/releases/download';

/** The release asset of the Toxiproxy server for a platform (`toxiproxy-server-linux-amd64`), or why there is none. */
export function toxiproxyAssetName(platform: string = process.platform, arch: string = process.arch): { asset: string } | { unsupported: string } {
  const os = { linux: 'linux', darwin: 'darwin', win32: 'windows' }[platform];
  const cpu = { x64: 'amd64', arm64: 'arm64' }[arch];
  if (!os || !cpu) return { unsupported: `Toxiproxy publishes no server binary for ${platform}/${arch}` };
  return { asset: `toxiproxy-server-${os}-${cpu}${os === 'windows' ? '.exe' : ''}` };
}

/**
 * The per-user cache: `COMFY_CHAOS_CACHE_DIR`, else `$XDG_CACHE_HOME/comfy-chaos`, else the
 * platform's cache folder (`~/.cache`, `~/Library/Caches`, `%LOCALAPPDATA%`) + `comfy-chaos`.
 */
export function comfyChaosCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.COMFY_CHAOS_CACHE_DIR) return env.COMFY_CHAOS_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'comfy-chaos');
  const home = env.HOME || homedir();
  if (process.platform === 'darwin') return join(home, 'Library', 'Caches', 'comfy-chaos');
  if (process.platform === 'win32') return join(env.LOCALAPPDATA || join(home, 'AppData', 'Local'), 'comfy-chaos');
  return join(home, '.cache', 'comfy-chaos');
}

/** Where `toxiproxy install` puts the binary of a version: `<cache>/toxiproxy/<version>/toxiproxy-server`. */
export function cachedToxiproxyBinary(env: NodeJS.ProcessEnv = process.env, version: string = TOXIPROXY_VERSION): string {
  return join(comfyChaosCacheDir(env), 'toxiproxy', version, process.platform === 'win32' ? 'toxiproxy-server.exe' : 'toxiproxy-server');
}

export interface InstallToxiproxyOptions {
  /** Environment for the cache folder and `COMFY_CHAOS_TOXIPROXY_BASE_URL` [default process.env]. */
  env?: NodeJS.ProcessEnv;
  /** [default process.platform, process.arch] */
  platform?: string;
  arch?: string;
  /** The whole download may take this long, in ms [default 120 000]. */
  timeoutMs?: number;
  /** A larger body is refused, in bytes [default 64 MiB; the 2.12.0 binaries are about 8.5 MB]. */
  maxBytes?: number;
  /** Download again even when the cached binary already has the pinned digest. */
  force?: boolean;
  /** Replaces the pinned digests, asset name -> SHA-256 (tests serving their own file; a private mirror of a rebuilt binary). */
  sha256?: Readonly<Record<string, string>>;
}

export interface InstalledToxiproxy {
  path: string;
  version: string;
  url: string;
  sha256: string;
  /** False when the cached binary was already there with the right digest. */
  downloaded: boolean;
  bytes: number;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Downloads the pinned Toxiproxy server into the cache, checking its SHA-256 first; throws a `ToxiproxyHarnessError` saying what failed. */
export async function installToxiproxy(options: InstallToxiproxyOptions = {}): Promise<InstalledToxiproxy> {
  const env = options.env ?? process.env;
  const version = TOXIPROXY_VERSION;
  const other = 'or set TOXIPROXY_URL to a running Toxiproxy server, or put a toxiproxy-server binary on PATH (TOXIPROXY_BIN)';
  if (PINNED_RELEASE.version !== version) {
    throw new ToxiproxyHarnessError('TOXIPROXY_DOWNLOAD_FAILED', `no SHA-256 is pinned for Toxiproxy ${version} (the pinned table is for ${PINNED_RELEASE.version}); ${other}`);
  }
  const named = toxiproxyAssetName(options.platform, options.arch);
  if ('unsupported' in named) throw new ToxiproxyHarnessError('TOXIPROXY_DOWNLOAD_FAILED', `${named.unsupported}; ${other}`);
  const expected = (options.sha256 ?? PINNED_RELEASE.sha256)[named.asset];
  if (!expected) throw new ToxiproxyHarnessError('TOXIPROXY_DOWNLOAD_FAILED', `no SHA-256 is pinned for ${named.asset} of Toxiproxy ${version}, so it is not downloaded; ${other}`);
  const base = (env.COMFY_CHAOS_TOXIPROXY_BASE_URL || TOXIPROXY_RELEASE_BASE_URL).replace(/\/+$/, '');
  const url = `${base}/v${version}/${named.asset}`;
  const target = cachedToxiproxyBinary(env, version);

  if (!options.force && existsSync(target) && sha256(readFileSync(target)) === expected) {
    return { path: target, version, url, sha256: expected, downloaded: false, bytes: readFileSync(target).length };
  }

  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  let body: Uint8Array;
  try {
    const response = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(options.timeoutMs ?? 120_000) });
    if (!response.ok) {
      await response.body?.cancel();
      const hint = response.status === 404 ? `: the release v${version} has no asset ${named.asset} there` : '';
      throw new ToxiproxyHarnessError('TOXIPROXY_DOWNLOAD_FAILED', `GET ${url} answered HTTP ${response.status}${hint}; ${other}`);
    }
    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (declared > maxBytes) throw new ToxiproxyHarnessError('TOXIPROXY_DOWNLOAD_FAILED', `GET ${url} would send ${declared} bytes, more than the ${maxBytes} allowed`);
    body = new Uint8Array(await response.arrayBuffer());
    if (body.length > maxBytes) throw new ToxiproxyHarnessError('TOXIPROXY_DOWNLOAD_FAILED', `GET ${url} sent ${body.length} bytes, more than the ${maxBytes} allowed`);
  } catch (error) {
    if (error instanceof ToxiproxyHarnessError) throw error;
    throw new ToxiproxyHarnessError('TOXIPROXY_DOWNLOAD_FAILED', `could not download ${url}: ${describeError(error)}; ${other}`, { cause: error });
  }
  const actual = sha256(body);
  if (actual !== expected) {
    throw new ToxiproxyHarnessError(
      'TOXIPROXY_CHECKSUM_MISMATCH',
      `the file at ${url} has SHA-256 ${actual}, but the pinned SHA-256 of ${named.asset} ${version} is ${expected}; nothing was installed (a corrupt download, a wrong mirror in COMFY_CHAOS_TOXIPROXY_BASE_URL, or a changed release)`,
    );
  }
  // Written beside the target, then renamed: a reader never sees half a binary.
  mkdirSync(dirname(target), { recursive: true });
  const partial = `${target}.${process.pid}.partial`;
  try {
    writeFileSync(partial, body, { mode: 0o755 });
    chmodSync(partial, 0o755);
    renameSync(partial, target);
  } finally {
    rmSync(partial, { force: true });
  }
  return { path: target, version, url, sha256: actual, downloaded: true, bytes: body.length };
}
