import type { ComfyuiProfile } from '../../../protocol/index.ts';
import { findFrontend, type FoundFrontend } from '../../../simulator/index.ts';

/**
 * Which frontend a `--client frontend` session loads. `frontend` alone is the version the run's
 * ComfyUI pins (its requirements.txt `comfyui-frontend-package==`); `frontend@<v>` is that version,
 * from .tools/frontend/<v> (scripts/install-frontend.sh) or an installed comfyui-frontend-package.
 */

/**
 * The frontend each ComfyUI release of the profiles pins: 0.3.64's requirements.txt pins
 * comfyui-frontend-package 1.27.10 (its `/system_stats` says `required_frontend_version` 1.27.10);
 * for `current` (0.38.1, master) the newest release installed by .ci/run, 1.58.1, stands in.
 */
export const pinnedFrontendVersions: Readonly<Record<string, string>> = { '0.3.64': '1.27.10', '0.38.1': '1.58.1' };

/** `frontend` (undefined: what the profile pins) or `frontend@<version>`; anything else is not a frontend spec. */
export function parseFrontendSpec(spec: string): { version?: string } | undefined {
  const match = /^frontend(?:@(.*))?$/s.exec(spec.trim());
  if (!match) return undefined;
  if (match[1] === undefined) return {};
  return { version: match[1].trim() };
}

export const VERSION_PATTERN = /^\d+\.\d+\.\d+$/;

export class FrontendUnavailableError extends Error {
  readonly code = 'CC_ERR_FRONTEND_UNAVAILABLE';
}

/** The version a session on `profile` loads. @throws FrontendUnavailableError when the profile pins none we know. */
export function frontendVersionFor(requested: string | undefined, profile: Pick<ComfyuiProfile, 'name' | 'comfyuiVersion'>): string {
  if (requested) return requested;
  const pinned = pinnedFrontendVersions[profile.comfyuiVersion];
  if (pinned) return pinned;
  throw new FrontendUnavailableError(
    `--client frontend: no frontend version is known for ComfyUI ${profile.comfyuiVersion} (profile ${profile.name}); name one with --client frontend@<version> ` +
      `(known pins: ${Object.entries(pinnedFrontendVersions).map(([c, f]) => `ComfyUI ${c} -> ${f}`).join(', ')})`,
  );
}

/**
 * Where `version`'s static files are: .tools/frontend/<version>, else the comfyui-frontend-package
 * that COMFY_CHAOS_PYTHON (else python3) imports, when it is that version.
 * @throws FrontendUnavailableError with the fix when neither has it.
 */
export function locateFrontend(version: string, env: NodeJS.ProcessEnv = process.env): FoundFrontend {
  try {
    return findFrontend(version);
  } catch {
    // not in the checkout: maybe in a Python environment
  }
  const python = env.COMFY_CHAOS_PYTHON || 'python3';
  let found: FoundFrontend | undefined;
  try {
    found = findFrontend('auto', { python });
  } catch {
    found = undefined;
  }
  if (found && found.version === version) return found;
  const there = found?.version ? ` (${python} has ${found.version})` : '';
  throw new FrontendUnavailableError(
    `--client frontend@${version}: comfyui-frontend-package ${version} is not installed${there}; install it with ` +
      `\`pip install comfyui-frontend-package==${version}\` (into the Python of COMFY_CHAOS_PYTHON, else python3) ` +
      `or, in a checkout, COMFY_CHAOS_FRONTEND_VERSIONS=${version} scripts/install-frontend.sh`,
  );
}
