import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where a frontend's static files are. `--frontend` takes a folder (the `static/` folder itself,
 * an installed `comfyui_frontend_package` folder, or a `pip install --target` folder holding one),
 * a version installed by scripts/install-frontend.sh (`1.27.10`, in .tools/frontend/), or `auto`:
 * the newest version in .tools/frontend/, else the package in a Python environment (the given
 * interpreter, else `python3`), found as ComfyUI finds it (the package's `static` folder).
 */
export interface FoundFrontend {
  /** The folder served at `/` (holds index.html). */
  staticDir: string;
  /** The package version when known (from a `.dist-info` folder or the install folder's name). */
  version?: string;
  /** How it was found, for the start-up line. */
  source: string;
}

export class FrontendNotFoundError extends Error {
  readonly code = 'CC_ERR_FRONTEND_NOT_FOUND';
  constructor(message: string) {
    super(message);
    this.name = 'FrontendNotFoundError';
  }
}

/** The checkout's .tools/frontend (absent in an installed package). */
export const installedFrontendsDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../.tools/frontend');

const HOW_TO_GET =
  'install one with `pip install comfyui-frontend-package==1.27.10` (the version ComfyUI 0.3.64 pins) and pass --frontend auto ' +
  '(with --python <interpreter> for a virtualenv), or run scripts/install-frontend.sh in a checkout';

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function versionIn(folder: string): string | undefined {
  try {
    const info = readdirSync(folder).find((name) => /^comfyui_frontend_package-.+\.dist-info$/.test(name));
    return info?.slice('comfyui_frontend_package-'.length, -'.dist-info'.length);
  } catch {
    return undefined;
  }
}

/** The static folder inside `folder`, whichever of the three layouts it is. */
function staticFolderOf(folder: string): FoundFrontend | undefined {
  const candidates = [folder, join(folder, 'static'), join(folder, 'comfyui_frontend_package', 'static')];
  const staticDir = candidates.find((dir) => existsSync(join(dir, 'index.html')));
  if (!staticDir) return undefined;
  const version = versionIn(folder) ?? versionIn(resolve(staticDir, '../..'));
  return { staticDir, source: folder, ...(version ? { version } : {}) };
}

/** Versions in .tools/frontend, newest first. */
export function installedFrontendVersions(root = installedFrontendsDir): string[] {
  if (!isDir(root)) return [];
  const parts = (v: string) => v.split(/[.-]/).map((p) => Number.parseInt(p, 10) || 0);
  return readdirSync(root)
    .filter((name) => staticFolderOf(join(root, name)))
    .sort((a, b) => {
      const [pa, pb] = [parts(a), parts(b)];
      for (let i = 0; i < Math.max(pa.length, pb.length); i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pb[i] ?? 0) - (pa[i] ?? 0);
      return 0;
    });
}

/** The package's folder as an interpreter imports it, or undefined (no package, no interpreter). */
function packageOfPython(python: string): string | undefined {
  try {
    const out = execFileSync(python, ['-c', 'import os, comfyui_frontend_package as p; print(os.path.dirname(p.__file__))'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 15_000,
    });
    return out.trim() || undefined;
  } catch {
    return undefined;
  }
}

export function findFrontend(spec: string, options: { python?: string; installedDir?: string } = {}): FoundFrontend {
  const installedDir = options.installedDir ?? installedFrontendsDir;
  if (spec !== 'auto') {
    if (/^\d+\.\d+\.\d+/.test(spec) && !existsSync(spec)) {
      const found = staticFolderOf(join(installedDir, spec));
      if (found) return { ...found, version: found.version ?? spec };
      const have = installedFrontendVersions(installedDir);
      throw new FrontendNotFoundError(
        `--frontend ${spec}: that version is not in ${installedDir} (installed: ${have.join(', ') || 'none'}); ` +
          `install it with COMFY_CHAOS_FRONTEND_VERSIONS=${spec} scripts/install-frontend.sh, or give its static folder`,
      );
    }
    if (!isDir(spec)) throw new FrontendNotFoundError(`--frontend ${spec}: no such folder; ${HOW_TO_GET}`);
    const found = staticFolderOf(resolve(spec));
    if (!found) throw new FrontendNotFoundError(`--frontend ${spec}: no index.html in it, its static/ or comfyui_frontend_package/static/; ${HOW_TO_GET}`);
    return found;
  }
  if (options.python) {
    const pkg = packageOfPython(options.python);
    const found = pkg ? staticFolderOf(pkg) : undefined;
    if (found) return { ...found, version: found.version ?? versionIn(dirname(pkg!)), source: `${options.python} (${pkg})` };
    throw new FrontendNotFoundError(`--frontend auto: ${options.python} cannot import comfyui_frontend_package; ${HOW_TO_GET}`);
  }
  const newest = installedFrontendVersions(installedDir)[0];
  if (newest) {
    const found = staticFolderOf(join(installedDir, newest))!;
    return { ...found, version: found.version ?? newest };
  }
  const pkg = packageOfPython('python3');
  const found = pkg ? staticFolderOf(pkg) : undefined;
  if (found) return { ...found, version: found.version ?? versionIn(dirname(pkg!)), source: `python3 (${pkg})` };
  throw new FrontendNotFoundError(`--frontend auto: no comfyui-frontend-package in ${installedDir} nor importable by python3; ${HOW_TO_GET}`);
}
