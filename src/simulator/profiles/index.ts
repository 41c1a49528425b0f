import type { ComfyuiProfile } from '../../protocol/index.ts';
import { comfyuiCurrent } from './current.ts';
import { gatewayApiPrefix } from './gateway-api-prefix.ts';
import { gatewayTls } from './gateway-tls.ts';
import { comfyui0344 } from './v0-3-44.ts';
import { comfyui0364 } from './v0-3-64.ts';

/** The baseline profile: what the simulator is when no profile is named. */
export const baselineProfile: ComfyuiProfile = comfyui0364;

/** Every built-in profile: the releases, oldest first, then the fronts. */
export const comfyuiProfiles: readonly ComfyuiProfile[] = [comfyui0344, comfyui0364, comfyuiCurrent, gatewayApiPrefix, gatewayTls];

/**
 * What `all` means: every release, but no front. A front gives clients a base URL with a path, which
 * most libraries (and so their drivers) cannot take, or a TLS certificate they must be told to trust;
 * it is chosen by name, for clients that can.
 */
export const comfyuiReleases: readonly ComfyuiProfile[] = comfyuiProfiles.filter((p) => !p.front.prefix && !p.front.apiOnly && !p.front.tls);

export const comfyuiProfileNames: readonly string[] = comfyuiProfiles.map((p) => p.name);

/** Thrown for a profile name that is not built in. */
export class UnknownProfileError extends Error {
  readonly code = 'CC_ERR_UNKNOWN_COMFYUI_PROFILE';
  constructor(name: string) {
    super(`unknown ComfyUI profile "${name}" (known: ${comfyuiProfileNames.join(', ')}, or all for ${comfyuiReleases.map((p) => p.name).join(', ')})`);
  }
}

export function findComfyuiProfile(name: string): ComfyuiProfile {
  const found = comfyuiProfiles.find((p) => p.name === name);
  if (!found) throw new UnknownProfileError(name);
  return found;
}

/** `--comfyui` values: names, comma-separated or repeated; `all` is every release ({@link comfyuiReleases}). Duplicates count once. */
export function resolveComfyuiProfiles(selectors: readonly string[]): ComfyuiProfile[] {
  const names = selectors.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  const out: ComfyuiProfile[] = [];
  for (const name of names) {
    for (const profile of name === 'all' ? comfyuiReleases : [findComfyuiProfile(name)]) {
      if (!out.includes(profile)) out.push(profile);
    }
  }
  return out;
}

export { comfyui0344, comfyui0364, comfyuiCurrent, gatewayApiPrefix, gatewayTls };
