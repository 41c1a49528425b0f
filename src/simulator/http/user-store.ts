import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';

/**
 * The files of ComfyUI's user directory (`user/<user>/`): settings, saved workflows, keybindings,
 * anything the frontend stores with `/userdata`. In memory by default; on disk under a folder
 * with `--user-dir` (then `<dir>/<user>/...`, as ComfyUI's `--user-directory`).
 * Paths are relative to the user's root, `/`-separated, already checked by {@link userPath}.
 */
export interface UserFileInfo {
  path: string;
  size: number;
  /** Epoch milliseconds. */
  modified: number;
  created: number;
}

export interface UserFiles {
  /** Whether the user's root exists (ComfyUI's `migrated`). */
  hasRoot(user: string): boolean;
  kind(user: string, path: string): 'file' | 'directory' | undefined;
  read(user: string, path: string): Uint8Array | undefined;
  write(user: string, path: string, bytes: Uint8Array): void;
  remove(user: string, path: string): boolean;
  move(user: string, from: string, to: string): void;
  /** Every file under `dir` ('' for the root), recursively, sorted by path. */
  list(user: string, dir: string): UserFileInfo[];
  info(user: string, path: string): UserFileInfo | undefined;
}

/**
 * A request's file path inside the user's root, or undefined when it would leave it (ComfyUI's
 * `get_request_user_filepath` returns None, the route answers 403): absolute paths and `..`
 * above the root. `''` is the root itself.
 */
export function userPath(requested: string): string | undefined {
  if (requested.includes('\0') || requested.startsWith('/') || /^[A-Za-z]:/.test(requested)) return undefined;
  const normal = posix.normalize(requested.replace(/\\/g, '/'));
  if (normal === '..' || normal.startsWith('../')) return undefined;
  return normal === '.' ? '' : normal.replace(/\/+$/, '');
}

interface MemoryFile {
  bytes: Uint8Array;
  modified: number;
  created: number;
}

/** The user directory in memory: gone when the simulator stops. */
export class MemoryUserFiles implements UserFiles {
  private readonly users = new Map<string, Map<string, MemoryFile>>();
  private readonly roots = new Set<string>();

  constructor(private readonly now: () => number = Date.now) {}

  private filesOf(user: string): Map<string, MemoryFile> {
    let files = this.users.get(user);
    if (!files) this.users.set(user, (files = new Map()));
    return files;
  }

  hasRoot(user: string): boolean {
    return this.roots.has(user);
  }

  kind(user: string, path: string): 'file' | 'directory' | undefined {
    if (path === '') return this.roots.has(user) ? 'directory' : undefined;
    const files = this.filesOf(user);
    if (files.has(path)) return 'file';
    for (const name of files.keys()) if (name.startsWith(path + '/')) return 'directory';
    return undefined;
  }

  read(user: string, path: string): Uint8Array | undefined {
    return this.filesOf(user).get(path)?.bytes;
  }

  write(user: string, path: string, bytes: Uint8Array): void {
    const files = this.filesOf(user);
    const now = this.now();
    this.roots.add(user);
    files.set(path, { bytes: new Uint8Array(bytes), modified: now, created: files.get(path)?.created ?? now });
  }

  remove(user: string, path: string): boolean {
    return this.filesOf(user).delete(path);
  }

  move(user: string, from: string, to: string): void {
    const files = this.filesOf(user);
    const file = files.get(from);
    if (!file) return;
    files.delete(from);
    files.set(to, file);
  }

  list(user: string, dir: string): UserFileInfo[] {
    const prefix = dir === '' ? '' : dir + '/';
    return [...this.filesOf(user).entries()]
      .filter(([name]) => name.startsWith(prefix))
      .map(([name, file]) => ({ path: name, size: file.bytes.length, modified: file.modified, created: file.created }))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  info(user: string, path: string): UserFileInfo | undefined {
    const file = this.filesOf(user).get(path);
    return file && { path, size: file.bytes.length, modified: file.modified, created: file.created };
  }
}

/** The user directory on disk: `<root>/<user>/<path>`, kept between runs. */
export class DiskUserFiles implements UserFiles {
  constructor(private readonly root: string) {
    mkdirSync(root, { recursive: true });
  }

  private abs(user: string, path: string): string {
    return path === '' ? join(this.root, user) : join(this.root, user, ...path.split('/'));
  }

  hasRoot(user: string): boolean {
    return this.kind(user, '') === 'directory';
  }

  kind(user: string, path: string): 'file' | 'directory' | undefined {
    try {
      const stat = statSync(this.abs(user, path));
      return stat.isFile() ? 'file' : stat.isDirectory() ? 'directory' : undefined;
    } catch {
      return undefined;
    }
  }

  read(user: string, path: string): Uint8Array | undefined {
    return this.kind(user, path) === 'file' ? readFileSync(this.abs(user, path)) : undefined;
  }

  write(user: string, path: string, bytes: Uint8Array): void {
    const file = this.abs(user, path);
    mkdirSync(dirname(file), { recursive: true });
    // Written beside and renamed over, as ComfyUI does, so a reader never sees half a file.
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, bytes);
    renameSync(temporary, file);
  }

  remove(user: string, path: string): boolean {
    if (this.kind(user, path) !== 'file') return false;
    rmSync(this.abs(user, path));
    return true;
  }

  move(user: string, from: string, to: string): void {
    const target = this.abs(user, to);
    mkdirSync(dirname(target), { recursive: true });
    renameSync(this.abs(user, from), target);
  }

  list(user: string, dir: string): UserFileInfo[] {
    const found: UserFileInfo[] = [];
    const walk = (relative: string, depth: number): void => {
      if (depth > 64) return;
      let entries;
      try {
        entries = readdirSync(this.abs(user, relative), { withFileTypes: true });
      } catch {
        return;
      }
      for (const entry of entries) {
        const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
        if (entry.isDirectory()) walk(child, depth + 1);
        else if (entry.isFile()) {
          const info = this.info(user, child);
          if (info) found.push(info);
        }
      }
    };
    walk(dir, 0);
    return found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  info(user: string, path: string): UserFileInfo | undefined {
    try {
      const stat = statSync(this.abs(user, path));
      if (!stat.isFile()) return undefined;
      return { path, size: stat.size, modified: Math.floor(stat.mtimeMs), created: Math.floor(stat.ctimeMs) };
    } catch {
      return undefined;
    }
  }
}

const stores = new WeakMap<object, UserFiles>();

/** The user files of one simulator (keyed by its core); in memory unless {@link useUserFiles} set others. */
export function userFilesOf(owner: object): UserFiles {
  let files = stores.get(owner);
  if (!files) stores.set(owner, (files = new MemoryUserFiles()));
  return files;
}

export function useUserFiles(owner: object, files: UserFiles): void {
  stores.set(owner, files);
}
