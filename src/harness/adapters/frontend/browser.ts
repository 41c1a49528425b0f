import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import type { Browser } from 'playwright-core';
import { onStop } from '../../stop-hooks.ts';
import { isExecutable } from '../../executable.ts';

/**
 * The one Chromium a run of `--client frontend` shares (one browser per run, a fresh context per
 * session): found here, launched on first use, closed by {@link SharedBrowser.close} (the run's
 * end) or, when the CLI is stopped by a signal, by a stop hook (src/harness/stop-hooks.ts).
 * playwright-core is an optional peer dependency of the npm package, so it is imported only here,
 * and only when a frontend session starts.
 */

/** Headless and quiet (as test/browser/chromium.ts). The frontend's page is fulfilled from disk by
 * the harness (src/harness/adapters/frontend/static-files.ts), so Chromium takes it for a public
 * document and, by its Local Network Access checks, blocks its socket to 127.0.0.1
 * (`net::ERR_BLOCKED_BY_LOCAL_NETWORK_ACCESS_CHECKS`, seen in a run): those checks are off. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
  '--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests',
];

const HOW_TO_GET_CHROMIUM = 'install it (`apt-get install chromium`), put `chromium` on PATH, or set COMFY_CHAOS_CHROMIUM=<path to a Chromium or Chrome binary>';


/**
 * The Chromium to run: COMFY_CHAOS_CHROMIUM, else /usr/bin/chromium, else `chromium`,
 * `chromium-browser` or `google-chrome` on PATH. A reason (with the fix) when there is none.
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): { path: string } | { missing: string } {
  const given = env.COMFY_CHAOS_CHROMIUM;
  if (given) return isExecutable(given) ? { path: given } : { missing: `COMFY_CHAOS_CHROMIUM=${given} is not an executable file; ${HOW_TO_GET_CHROMIUM}` };
  if (isExecutable('/usr/bin/chromium')) return { path: '/usr/bin/chromium' };
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
      if (isExecutable(join(dir, name))) return { path: join(dir, name) };
    }
  }
  return { missing: `no Chromium found (COMFY_CHAOS_CHROMIUM, /usr/bin/chromium, chromium on PATH); ${HOW_TO_GET_CHROMIUM}` };
}

/** Why playwright-core cannot be loaded, or undefined when it can (resolved, not yet imported). */
export function playwrightMissing(): string | undefined {
  try {
    createRequire(import.meta.url).resolve('playwright-core');
    return undefined;
  } catch {
    return existsSync(new URL('../../../../node_modules', import.meta.url))
      ? 'playwright-core is not installed: run `npm install playwright-core` (an optional peer dependency of comfy-chaos)'
      : 'playwright-core is not installed next to comfy-chaos: run `npm install playwright-core` (an optional peer dependency)';
  }
}

/** One lazily launched Chromium, shared by every session of a run. */
export class SharedBrowser {
  private launching: Promise<Browser> | undefined;
  private forgetStopHook: (() => void) | undefined;

  /**
   * @param executablePath the Chromium binary
   * @param launchTimeoutMs how long Chromium may take to start [default 60 000]
   */
  constructor(
    private readonly executablePath: string,
    private readonly launchTimeoutMs = 60_000,
  ) {}

  /** The browser, launched on the first call; a browser that crashed is launched again. */
  get(): Promise<Browser> {
    if (!this.launching) {
      this.launching = this.launch();
      this.launching.catch(() => (this.launching = undefined));
    }
    return this.launching;
  }

  private async launch(): Promise<Browser> {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: this.executablePath, args: CHROMIUM_ARGS, timeout: this.launchTimeoutMs });
    this.forgetStopHook = onStop(() => browser.close());
    browser.on('disconnected', () => {
      if (this.launching) this.launching = undefined;
      this.forgetStopHook?.();
    });
    return browser;
  }

  /** Closes the browser if it was launched (every context with it); safe to call more than once. */
  async close(): Promise<void> {
    const launching = this.launching;
    this.launching = undefined;
    const browser = await launching?.catch(() => undefined);
    await browser?.close().catch(() => undefined);
    this.forgetStopHook?.();
    this.forgetStopHook = undefined;
  }
}
