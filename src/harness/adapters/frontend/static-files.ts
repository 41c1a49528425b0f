import { readdirSync, statSync } from 'node:fs';
import { join, normalize, sep } from 'node:path';

/**
 * Which of the page's requests to the ComfyUI origin are the frontend's own files, fulfilled from
 * disk in the browser so that they never reach the simulator nor the network faults: `/` (the
 * frontend's index.html) and whatever lies under the static folder's top-level entries (`assets/`,
 * `scripts/`, `fonts/`, `cursor/`, stylesheets). Not `/extensions`, which ComfyUI answers from
 * its web root and custom nodes (the simulator's `/extensions`), and never `/api/*`, `/ws`,
 * `/view`, templates, or anything else a ComfyUI server answers itself: those go through the
 * proxy and the scenario's faults, as a browser's requests to a real ComfyUI would.
 */
export interface FrontendFiles {
  /** Whether a path (of the ComfyUI origin) is one of the frontend's files. */
  owns(pathname: string): boolean;
  /** The file on disk for a path it owns, or undefined when there is no such file (answered 404). */
  fileFor(pathname: string): string | undefined;
}

/** What ComfyUI serves itself at the top level, whatever a static folder holds (server.py routes). */
const SERVER_PATHS = new Set(['api', 'ws', 'extensions', 'view', 'templates', 'internal', 'i18n', 'docs']);

export function frontendFiles(staticDir: string): FrontendFiles {
  const root = normalize(staticDir);
  const topLevel = new Set(readdirSync(root).filter((name) => !SERVER_PATHS.has(name)));
  const firstSegment = (pathname: string) => pathname.split('/')[1] ?? '';
  return {
    owns(pathname) {
      return pathname === '/' || pathname === '/index.html' || topLevel.has(decodeSafely(firstSegment(pathname)));
    },
    fileFor(pathname) {
      const relative = pathname === '/' ? 'index.html' : decodeSafely(pathname.slice(1));
      const file = normalize(join(root, relative));
      if (file !== root && !file.startsWith(root + sep)) return undefined;
      try {
        return statSync(file).isFile() ? file : undefined;
      } catch {
        return undefined;
      }
    },
  };
}

function decodeSafely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
