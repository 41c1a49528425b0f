import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium, as .ci/run installs it. */
export const CHROMIUM = '/usr/bin/chromium';

/** Headless, and quiet: this machine's network is closed, so background requests only add noise. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

export const strict = process.env.COMFY_CHAOS_STRICT === '1';

/** Why the browser tests cannot run here, or undefined when Chromium is installed. */
export const chromiumMissing: string | undefined = existsSync(CHROMIUM)
  ? undefined
  : `Chromium not found at ${CHROMIUM}; install it with \`apt-get install chromium\``;

/** Skips the test when Chromium is missing; under COMFY_CHAOS_STRICT=1 (CI) that is a failure instead. */
export function requireChromium(context: { skip(note?: string): void }): void {
  if (!chromiumMissing) return;
  if (strict) throw new Error(`COMFY_CHAOS_STRICT=1 and ${chromiumMissing}`);
  context.skip(chromiumMissing);
}

export function launchChromium(timeoutMs: number): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: timeoutMs });
}
