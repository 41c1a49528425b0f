import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder of comfy-chaos's own package.json: the repository root in a checkout (modules run
 * from `src/`), or the installed package's folder (modules run from `dist/src/`). Found by walking
 * up from this module, at most a few folders, so it works from both depths.
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'comfy-chaos') return dir;
    dir = dirname(dir);
  }
  throw new Error(`comfy-chaos: cannot find its own package.json above ${fileURLToPath(import.meta.url)}`);
}

/** The installed version, from package.json (`comfy-chaos --version`). */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}
