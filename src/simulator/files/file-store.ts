import { posix } from 'node:path';

/**
 * The simulator's disk: ComfyUI's `input`, `output` and `temp` folders, kept in memory.
 * Paths are POSIX and relative to their folder; anything that would leave the folder is refused,
 * so route handlers can pass client-supplied names straight in.
 */

export const folderTypes = ['input', 'output', 'temp'] as const;
export type FolderType = (typeof folderTypes)[number];

export function isFolderType(value: unknown): value is FolderType {
  return typeof value === 'string' && (folderTypes as readonly string[]).includes(value);
}

/** Where a file lives, in the shape ComfyUI puts in UI outputs and `/upload` replies. */
export interface FileRef {
  filename: string;
  subfolder: string;
  type: FolderType;
}

export type FileStoreErrorCode = 'CC_ERR_FILE_PATH' | 'CC_ERR_FILE_TYPE' | 'CC_ERR_FILE_STORE_FULL';

export class FileStoreError extends Error {
  override name = 'FileStoreError';
  constructor(
    readonly code: FileStoreErrorCode,
    message: string,
  ) {
    super(`comfy-chaos file store: ${message}`);
  }
}

/**
 * Joins `subfolder` and `filename` into a normalised path relative to the folder, e.g.
 * `("a/../b", "x.png")` -> `"b/x.png"`. Returns null when the result is empty, absolute or
 * climbs out of the folder (`..`), the cases ComfyUI refuses.
 */
export function resolveRelativePath(subfolder: string, filename: string): string | null {
  if (posix.isAbsolute(subfolder) || posix.isAbsolute(filename)) return null;
  const joined = posix.normalize(posix.join(subfolder, filename));
  if (joined === '.' || joined === '..' || joined.startsWith('../')) return null;
  return joined.replace(/\/+$/, '');
}

/**
 * Splits ComfyUI's annotated names: `"x.png [output]"` -> `{ name: "x.png", type: "output" }`.
 * Without an annotation `type` is null and the caller's default applies.
 */
export function parseAnnotatedFilename(annotated: string): { name: string; type: FolderType | null } {
  for (const type of folderTypes) {
    const suffix = ` [${type}]`;
    if (annotated.endsWith(suffix)) return { name: annotated.slice(0, -suffix.length), type };
  }
  // ComfyUI cuts the annotation with a fixed length, so "x.png[output]" (no space) loses its last
  // character too; we keep the simpler exact-suffix rule and treat that form as unannotated.
  return { name: annotated, type: null };
}

export interface SaveCountedOptions {
  /** File extension without the dot. @defaultValue `"png"` */
  extension?: string;
  /** Replaces `%width%` in the prefix, in pixels. @defaultValue 0 */
  width?: number;
  /** Replaces `%height%` in the prefix, in pixels. @defaultValue 0 */
  height?: number;
  /** Replaces `%batch_num%` in the file name, as SaveImage does per image. @defaultValue 0 */
  batchNumber?: number;
}

export interface FileStoreOptions {
  /** Most bytes held over all folders; a write past it throws `CC_ERR_FILE_STORE_FULL`. [default unlimited] */
  maxTotalBytes?: number;
}

export class FileStore {
  private readonly folders = new Map<FolderType, Map<string, Uint8Array>>(
    folderTypes.map((type) => [type, new Map<string, Uint8Array>()]),
  );
  private heldBytes = 0;
  private readonly maxTotalBytes: number;

  constructor(options: FileStoreOptions = {}) {
    this.maxTotalBytes = options.maxTotalBytes ?? Number.POSITIVE_INFINITY;
  }

  /** Bytes of every file held, over all folders. */
  get totalBytes(): number {
    return this.heldBytes;
  }

  /** Whether `bytes` more would still fit (a replaced file's bytes are given back first). */
  fits(bytes: number, replacing = 0): boolean {
    return this.heldBytes - replacing + bytes <= this.maxTotalBytes;
  }

  private folder(type: FolderType): Map<string, Uint8Array> {
    const folder = this.folders.get(type);
    if (!folder) {
      throw new FileStoreError('CC_ERR_FILE_TYPE', `unknown folder type "${String(type)}" (known: ${folderTypes.join(', ')})`);
    }
    return folder;
  }

  private path(subfolder: string, filename: string): string {
    const path = resolveRelativePath(subfolder, filename);
    if (path === null) {
      throw new FileStoreError(
        'CC_ERR_FILE_PATH',
        `path "${subfolder ? `${subfolder}/` : ''}${filename}" is empty, absolute or leaves its folder`,
      );
    }
    return path;
  }

  /**
   * Stores `bytes` (copied) under `subfolder/filename`, replacing any file already there.
   * @throws FileStoreError `CC_ERR_FILE_PATH` when the path is empty, absolute or escapes.
   */
  write(type: FolderType, subfolder: string, filename: string, bytes: Uint8Array): FileRef {
    const path = this.path(subfolder, filename);
    const folder = this.folder(type);
    const replaced = folder.get(path)?.length ?? 0;
    if (!this.fits(bytes.length, replaced)) {
      throw new FileStoreError(
        'CC_ERR_FILE_STORE_FULL',
        `no room for ${bytes.length} more bytes: the simulator keeps at most ${this.maxTotalBytes} bytes of files in memory (limits.maxFileBytes), ${this.heldBytes} held`,
      );
    }
    folder.set(path, Uint8Array.from(bytes));
    this.heldBytes += bytes.length - replaced;
    return { filename: posix.basename(path), subfolder: posix.dirname(path) === '.' ? '' : posix.dirname(path), type };
  }

  /** The file's bytes, or undefined when it is missing or the path is invalid. */
  read(type: FolderType, subfolder: string, filename: string): Uint8Array | undefined {
    const path = resolveRelativePath(subfolder, filename);
    return path === null ? undefined : this.folder(type).get(path);
  }

  exists(type: FolderType, subfolder: string, filename: string): boolean {
    return this.read(type, subfolder, filename) !== undefined;
  }

  /**
   * Whether an annotated name such as `"sub/x.png [output]"` names an existing file; names without
   * an annotation look in `defaultType`. This is LoadImage's validation check.
   */
  existsAnnotated(annotated: string, defaultType: FolderType = 'input'): boolean {
    const { name, type } = parseAnnotatedFilename(annotated);
    return this.exists(type ?? defaultType, '', name);
  }

  /** File names directly inside `subfolder` (not deeper), sorted by code point. */
  list(type: FolderType, subfolder = ''): string[] {
    const dir = subfolder === '' ? '' : resolveRelativePath(subfolder, '.');
    if (dir === null) return [];
    const names: string[] = [];
    for (const path of this.folder(type).keys()) {
      const parent = posix.dirname(path) === '.' ? '' : posix.dirname(path);
      if (parent === dir) names.push(posix.basename(path));
    }
    return names.sort();
  }

  /**
   * Saves like ComfyUI's SaveImage: the prefix may carry a subfolder (`"run1/cat"`), and the file
   * is named `<name>_<counter:5 digits>_.<ext>` where the counter is one more than the highest
   * already used by that name in that subfolder, starting at 1: `ComfyUI_00001_.png`.
   * Calling it once per image of a batch gives the same names as SaveImage does.
   * @throws FileStoreError `CC_ERR_FILE_PATH` when the prefix leaves the folder; ComfyUI raises
   * during execution then, so the engine should turn this into an `execution_error`.
   */
  saveCounted(type: FolderType, filenamePrefix: string, bytes: Uint8Array, options: SaveCountedOptions = {}): FileRef {
    const { extension = 'png', width = 0, height = 0, batchNumber = 0 } = options;
    const prefix = filenamePrefix.replaceAll('%width%', String(width)).replaceAll('%height%', String(height));
    // ComfyUI's get_save_image_path: normpath the prefix, split it into subfolder and name, and
    // refuse only a subfolder outside the folder. A name of `..` or `.` (prefix "..", "", "a/..")
    // is a plain file name there: `.._00001_.png` (docs/comfyui-protocol.md, issue 11).
    const normalised = posix.normalize(prefix === '' ? '.' : prefix).replace(/(.)\/+$/, '$1');
    const subfolder = posix.dirname(normalised) === '.' ? '' : posix.dirname(normalised);
    const name = posix.basename(normalised) || normalised;
    if (subfolder !== '' && resolveRelativePath(subfolder, '.') === null) {
      throw new FileStoreError('CC_ERR_FILE_PATH', `saving outside the ${type} folder is not allowed (prefix "${filenamePrefix}")`);
    }
    const counter = this.nextCounter(type, subfolder, name);
    const filename = `${name.replaceAll('%batch_num%', String(batchNumber))}_${String(counter).padStart(5, '0')}_.${extension}`;
    return this.write(type, subfolder, filename, bytes);
  }

  /**
   * ComfyUI reads the digits right after `<name>_` up to the next `_` in every file of the folder
   * (case-insensitively); a name whose digits do not parse counts as 0.
   */
  private nextCounter(type: FolderType, subfolder: string, name: string): number {
    let highest = 0;
    const wanted = `${name}_`.toLowerCase();
    for (const file of this.list(type, subfolder)) {
      if (file.slice(0, wanted.length).toLowerCase() !== wanted) continue;
      const digits = file.slice(wanted.length).split('_')[0];
      const value = /^\d+$/.test(digits) ? Number(digits) : 0;
      highest = Math.max(highest, value);
    }
    return highest + 1;
  }

  /** Removes one file; returns whether it existed. */
  delete(type: FolderType, subfolder: string, filename: string): boolean {
    const path = resolveRelativePath(subfolder, filename);
    if (path === null) return false;
    const folder = this.folder(type);
    const held = folder.get(path);
    if (held === undefined) return false;
    this.heldBytes -= held.length;
    return folder.delete(path);
  }

  /**
   * Empties the given folders (all by default). A real ComfyUI restart wipes only `temp`; files
   * in `input` and `output` are on disk and survive, so a faithful restart calls `clear(['temp'])`.
   */
  clear(types: readonly FolderType[] = folderTypes): void {
    for (const type of types) {
      const folder = this.folder(type);
      for (const held of folder.values()) this.heldBytes -= held.length;
      folder.clear();
    }
  }
}
