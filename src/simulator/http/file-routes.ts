import { posix } from 'node:path';
import { FileStoreError, isFolderType, parseAnnotatedFilename, type FileStore } from '../files/file-store.ts';
import { jsonResponse, textResponse, type SimRequest, type SimResponse } from './types.ts';

/**
 * GET /view and POST /upload/image|mask (comfyui-protocol.md §4). ComfyUI answers bad requests
 * here with bodyless 400/403/404s and clients may rely on that, so the explanation goes in the
 * `x-comfy-chaos-reason` header instead of the body.
 */

/** Header carrying why a bodyless error reply was sent; ComfyUI itself sends no reason. */
export const REASON_HEADER = 'x-comfy-chaos-reason';

/** aiohttp's `client_max_size` as ComfyUI sets it: `--max-upload-size` 100 MiB, in bytes. */
export const DEFAULT_MAX_UPLOAD_BYTES = 104_857_600;

function refuse(status: number, reason: string): SimResponse {
  return { status, headers: { [REASON_HEADER]: printableHeaderText(reason) }, body: '' };
}

/**
 * The reason header echoes client-supplied names; a header may carry neither control characters
 * nor (readably) anything beyond ASCII, so those are percent-encoded as UTF-8 (`%00`, `%E7%8C%AB`).
 */
export function printableHeaderText(text: string): string {
  return text.replace(/[^\x20-\x7e]/gu, (c) => [...Buffer.from(c, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''));
}

const contentTypes: Record<string, string> = {
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', webp: 'image/webp', gif: 'image/gif',
  bmp: 'image/bmp', svg: 'image/svg+xml', tif: 'image/tiff', tiff: 'image/tiff', json: 'application/json',
  txt: 'text/plain', mp4: 'video/mp4', webm: 'video/webm', mov: 'video/quicktime', wav: 'audio/x-wav',
  mp3: 'audio/mpeg', flac: 'audio/flac', ogg: 'audio/ogg', html: 'text/html', htm: 'text/html',
  xhtml: 'application/xhtml+xml', js: 'text/javascript', mjs: 'text/javascript', css: 'text/css',
};

/** Types a browser would render or run from our origin; ComfyUI forces them to download. */
const forcedDownload = new Set(['text/html', 'text/html-sandboxed', 'application/xhtml+xml', 'text/javascript', 'text/css']);

/** The MIME type Python's `mimetypes` would guess from the extension; unknown -> octet-stream. */
export function contentTypeFor(filename: string): string {
  const extension = posix.extname(filename).slice(1).toLowerCase();
  return contentTypes[extension] ?? 'application/octet-stream';
}

/** Whether a subfolder, joined to its base folder, stays inside it (ComfyUI's commonpath test). */
function subfolderStaysInside(subfolder: string): boolean {
  if (posix.isAbsolute(subfolder)) return false;
  const normalised = posix.normalize(subfolder);
  return normalised !== '..' && !normalised.startsWith('../');
}

/**
 * GET /view: `filename` (required; may end in ` [output]`, ` [input]` or ` [temp]`), `type`
 * (`output` default), `subfolder`. `preview` and `channel` are accepted but ignored: the stored
 * bytes are served as they are.
 */
export function viewFile(req: SimRequest, store: FileStore): SimResponse {
  const raw = req.query.get('filename');
  if (raw === null) return refuse(404, 'GET /view needs a filename query parameter');
  const { name, type: annotated } = parseAnnotatedFilename(raw);
  if (name === '') return refuse(400, 'GET /view: filename is empty');
  if (name.startsWith('/') || name.includes('..')) {
    return refuse(400, `GET /view: filename "${name}" must be relative and must not contain ".."`);
  }
  const type = annotated ?? req.query.get('type') ?? 'output';
  if (!isFolderType(type)) return refuse(400, `GET /view: unknown type "${type}" (known: output, input, temp)`);
  const subfolder = req.query.get('subfolder') ?? '';
  if (!subfolderStaysInside(subfolder)) return refuse(403, `GET /view: subfolder "${subfolder}" leaves the ${type} folder`);

  // ComfyUI keeps only the last path segment of the name; directories come from `subfolder`.
  const filename = posix.basename(name);
  const bytes = store.read(type, subfolder, filename);
  if (!bytes) return refuse(404, `GET /view: no file "${filename}" in ${type}/${subfolder}`);
  const contentType = contentTypeFor(filename);
  return {
    status: 200,
    headers: {
      'content-type': forcedDownload.has(contentType) ? 'application/octet-stream' : contentType,
      'content-disposition': `filename="${filename}"`,
    },
    body: bytes,
  };
}

/** One part of a multipart/form-data body. */
export interface MultipartPart {
  name: string;
  /** Present (possibly empty) when the part is a file. */
  filename?: string;
  contentType?: string;
  data: Uint8Array;
}

export class MultipartError extends Error {
  override name = 'MultipartError';
  readonly code = 'CC_ERR_MULTIPART';
}

function dispositionParams(header: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const m of header.matchAll(/;\s*([^=;\s]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g)) {
    params[m[1].toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3].trim();
  }
  const extended = params['filename*'];
  if (extended !== undefined) {
    // RFC 5987: charset'language'percent-encoded; takes precedence over `filename`.
    const match = /^[^']*'[^']*'(.*)$/.exec(extended);
    try {
      params.filename = decodeURIComponent(match ? match[1] : extended);
    } catch {
      throw new MultipartError(`bad filename* parameter: ${extended}`);
    }
  }
  return params;
}

/**
 * Parses a multipart/form-data body (RFC 7578) given the request's Content-Type header.
 * @throws MultipartError `CC_ERR_MULTIPART` when the boundary is missing or the body is malformed.
 */
export function parseMultipart(body: Uint8Array, contentType: string): MultipartPart[] {
  if (!/^multipart\/form-data\s*(;|$)/i.test(contentType)) {
    throw new MultipartError(`expected Content-Type multipart/form-data, got "${contentType || '(none)'}"`);
  }
  const boundary = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  if (!boundary) throw new MultipartError('the multipart/form-data Content-Type has no boundary');
  const buffer = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const nextDelimiter = Buffer.concat([Buffer.from('\r\n'), delimiter]);

  let at = buffer.indexOf(delimiter);
  if (at < 0) throw new MultipartError('the body does not contain the boundary');
  at += delimiter.length;
  const parts: MultipartPart[] = [];
  for (;;) {
    if (buffer.subarray(at, at + 2).toString() === '--') return parts;
    if (buffer.subarray(at, at + 2).toString() !== '\r\n') throw new MultipartError('a boundary line is not followed by CRLF');
    const headerEnd = buffer.indexOf('\r\n\r\n', at + 2);
    if (headerEnd < 0) throw new MultipartError('a part has no blank line after its headers');
    const headers: Record<string, string> = {};
    for (const line of buffer.subarray(at + 2, headerEnd).toString('utf8').split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const dataStart = headerEnd + 4;
    const dataEnd = buffer.indexOf(nextDelimiter, dataStart);
    if (dataEnd < 0) throw new MultipartError('the body ends before the closing boundary');
    const disposition = headers['content-disposition'] ?? '';
    if (!/^form-data\b/i.test(disposition)) throw new MultipartError('a part has no Content-Disposition: form-data header');
    const params = dispositionParams(disposition);
    if (params.name === undefined) throw new MultipartError('a part has no name in its Content-Disposition');
    parts.push({
      name: params.name,
      ...(params.filename !== undefined ? { filename: params.filename } : {}),
      ...(headers['content-type'] ? { contentType: headers['content-type'] } : {}),
      // A view, not a copy: the store copies what it keeps, so a 50 MiB upload is not held three times.
      data: new Uint8Array(buffer.buffer, buffer.byteOffset + dataStart, dataEnd - dataStart),
    });
    at = dataEnd + nextDelimiter.length;
  }
}

export interface UploadOptions {
  /** Largest total size of the form's fields, in bytes; above it the reply is 413. @defaultValue 104857600 */
  maxUploadBytes?: number;
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) === 0;

/**
 * POST /upload/image: fields `image` (file, required), `type` (`input` default, `temp`,
 * `output`), `subfolder`, `overwrite` (`"true"` or `"1"`). Without overwrite, a clash with
 * identical content reuses the existing name; otherwise the name becomes `stem (1).ext`,
 * `stem (2).ext`... Replies `{name, subfolder, type}`.
 */
export function uploadImage(req: SimRequest, store: FileStore, options: UploadOptions = {}): SimResponse {
  const { maxUploadBytes = DEFAULT_MAX_UPLOAD_BYTES } = options;
  let parts: MultipartPart[];
  try {
    parts = parseMultipart(req.body, req.headers['content-type'] ?? '');
  } catch (error) {
    if (!(error instanceof MultipartError)) throw error;
    return refuse(400, `POST ${req.path}: ${error.message}`);
  }
  const total = parts.reduce((n, part) => n + part.data.length, 0);
  if (total > maxUploadBytes) {
    return textResponse(`Maximum request body size ${maxUploadBytes} exceeded, actual body size ${total}`, 413);
  }
  const field = (name: string) => {
    const part = parts.find((p) => p.name === name);
    return part && part.filename === undefined ? Buffer.from(part.data).toString('utf8') : undefined;
  };

  const image = parts.find((p) => p.name === 'image');
  if (!image || image.filename === undefined) return refuse(400, `POST ${req.path}: the form has no file in field "image"`);
  if (image.filename === '') return refuse(400, `POST ${req.path}: the uploaded file has an empty name`);
  // Deliberate difference: ComfyUI crashes (500) on an unknown type; we refuse it plainly.
  const type = field('type') ?? 'input';
  if (!isFolderType(type)) return refuse(400, `POST ${req.path}: unknown type "${type}" (known: input, temp, output)`);
  const subfolder = field('subfolder') ?? '';
  const target = posix.normalize(posix.join(subfolder, image.filename));
  if (posix.isAbsolute(subfolder) || posix.isAbsolute(image.filename) || target === '..' || target.startsWith('../')) {
    return refuse(400, `POST ${req.path}: "${posix.join(subfolder, image.filename)}" leaves the ${type} folder`);
  }
  // Deliberate difference: a name that reduces to the folder itself (".", or "x" + ".."), is a
  // directory; ComfyUI opens it as a file and answers 500 (IsADirectoryError). We refuse it.
  if (target === '.' || posix.basename(target) === '..' || image.filename === '.' || image.filename === '..') {
    return refuse(400, `POST ${req.path}: "${posix.join(subfolder, image.filename)}" names the ${type} folder itself, not a file`);
  }

  const overwrite = field('overwrite');
  let filename = image.filename;
  let duplicate = false;
  if (overwrite !== 'true' && overwrite !== '1') {
    const extension = posix.extname(filename);
    const stem = filename.slice(0, filename.length - extension.length);
    for (let i = 1; store.exists(type, subfolder, filename); i++) {
      const existing = store.read(type, subfolder, filename)!;
      // Same name and same bytes: a re-upload of the same image keeps its name (ComfyUI #3465).
      if (sameBytes(existing, image.data)) {
        duplicate = true;
        break;
      }
      filename = `${stem} (${i})${extension}`;
    }
  }
  if (!duplicate) {
    try {
      store.write(type, subfolder, filename, image.data);
    } catch (error) {
      if (!(error instanceof FileStoreError)) throw error;
      if (error.code === 'CC_ERR_FILE_STORE_FULL') return textResponse(`POST ${req.path}: ${error.message}; delete files or raise the limit`, 413);
      return refuse(400, `POST ${req.path}: ${error.message}`);
    }
  }
  return jsonResponse({ name: filename, subfolder, type });
}

/**
 * POST /upload/mask: the same form as /upload/image. ComfyUI composites the mask into the alpha
 * channel of the image named by `original_ref`; the simulator has no image library and stores
 * the uploaded bytes as they are.
 */
export function uploadMask(req: SimRequest, store: FileStore, options: UploadOptions = {}): SimResponse {
  return uploadImage(req, store, options);
}
