import type { ComfyuiProfile } from '../../../protocol/index.ts';
import { baselineProfile } from '../../../simulator/index.ts';
import { UsageError } from '../../usage-error.ts';
import type { ClientStartContext, ClientUnderTest } from '../client-under-test.ts';
import { findChromium, playwrightMissing, SharedBrowser } from './browser.ts';
import { startFrontendSession } from './frontend-session.ts';
import { FrontendUnavailableError, frontendVersionFor, locateFrontend, VERSION_PATTERN } from './frontend-version.ts';

export interface FrontendClientOptions {
  /** How long the frontend may take to load and connect, per session, in ms [default 120 000]. */
  loadTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/**
 * The official ComfyUI frontend as a client under test (issue 17): `--client frontend` (the
 * version the run's ComfyUI pins) or `--client frontend@<version>`. It runs in headless Chromium,
 * one browser per run shared by its sessions, a fresh browser context per session; jobs go
 * through the frontend's own queue path and what the frontend shows its user is reported
 * (frontend-session.ts, page-scripts.ts). One browser tab is one user: one window, one server.
 *
 * @param version undefined for what each run's ComfyUI profile pins
 * @throws UsageError when playwright-core, Chromium or the named version is missing (with the fix)
 */
export function frontendClient(version: string | undefined, options: FrontendClientOptions = {}): ClientUnderTest {
  const env = options.env ?? process.env;
  const spec = version === undefined ? 'frontend' : `frontend@${version}`;
  if (version !== undefined && !VERSION_PATTERN.test(version)) {
    throw new UsageError(`--client ${spec}: "${version}" is not a version of comfyui-frontend-package (e.g. --client frontend@1.27.10, or --client frontend for the one the ComfyUI profile pins)`);
  }
  const noPlaywright = playwrightMissing();
  if (noPlaywright) throw new UsageError(`--client ${spec}: ${noPlaywright}. No scenario was run.`);
  const chromium = findChromium(env);
  if ('missing' in chromium) throw new UsageError(`--client ${spec}: ${chromium.missing}. No scenario was run.`);
  const staticDirOf = (profile: Pick<ComfyuiProfile, 'name' | 'comfyuiVersion'>) => {
    const v = frontendVersionFor(version, profile);
    return { version: v, staticDir: locateFrontend(v, env).staticDir };
  };
  if (version !== undefined) {
    try {
      staticDirOf(baselineProfile);
    } catch (error) {
      throw new UsageError(`${(error as Error).message}. No scenario was run.`);
    }
  }
  const browser = new SharedBrowser(chromium.path);
  return {
    name: spec,
    spec,
    transports: ['network'],
    capabilities: { servers: 1, windows: 1, cancel: true },
    checkProfiles(profiles) {
      for (const profile of profiles) {
        if (profile.front.tls) {
          // Chromium would have to trust the run's loopback test CA (and so would the settings call before the page opens): not done yet.
          throw new UsageError(`--client ${spec} cannot run on ${profile.name} yet: the browser does not trust the run's test certificate. Run it on 0.3.64 or current. No scenario was run.`);
        }
        if (profile.front.prefix || profile.front.apiOnly) continue; // skipped: the frontend does not declare base_path
        try {
          staticDirOf(profile);
        } catch (error) {
          if (error instanceof FrontendUnavailableError) throw new UsageError(`${error.message}. No scenario was run.`);
          throw error;
        }
      }
    },
    async start(context: ClientStartContext) {
      const { version: v, staticDir } = staticDirOf(context.comfyui ?? baselineProfile);
      const comfyUrl = (context.comfyUrls ?? context.comfyUrl.split(','))[0]!.trim();
      return startFrontendSession({
        browser: await browser.get(),
        version: v,
        staticDir,
        comfyUrl,
        events: context.events,
        ...(options.loadTimeoutMs !== undefined ? { loadTimeoutMs: options.loadTimeoutMs } : {}),
      });
    },
    dispose: () => browser.close(),
  };
}
