import { createHash } from 'node:crypto';

/**
 * Outputs as artefacts: the files a job saved (by type, subfolder and filename, and the digest of
 * their bytes) and the texts it produced. The server's side comes from its outputs (history's
 * node-keyed shape); the client's side is read from whatever shape an SDK hands its user:
 * - history's node-keyed shape, or one node's `{images: [...]}`, or any list of
 *   `{filename, subfolder, type}` (subfolder defaults to "", a missing type matches any);
 * - `/view?filename=..&subfolder=..&type=..` URLs (absolute or not), anywhere in the value;
 * - the bytes themselves: base64 (bare or a `data:` URL), a JSON array of byte values, or Node's
 *   `{type: "Buffer", data: [...]}`, matched by SHA-256 against the files the server served;
 * - texts: any other string, compared exactly with the server's text outputs.
 */

export interface FileArtefact {
  type: string;
  subfolder: string;
  filename: string;
}

export interface ServerFile extends FileArtefact {
  sha256?: string;
}

/** What a job produced on the server. */
export interface ExpectedArtefacts {
  files: ServerFile[];
  texts: string[];
}

/** What a client delivered, read from its report. */
export interface DeliveredArtefacts {
  /** Files named by reference (an object with `filename`, or a `/view` URL); `type` absent when the client gave none. */
  refs: Array<{ filename: string; subfolder: string; type?: string }>;
  /** Files delivered as bytes. */
  blobs: Array<{ sha256: string; bytes: number; kind: 'png' | 'jpeg' | 'other' }>;
  texts: Set<string>;
}

/** Walks at most this many values of a report: a client cannot make the oracle loop. */
const MAX_VALUES = 50_000;
const MAX_DEPTH = 32;

/** The files and texts of a prompt's outputs (`{node: {images: [...], text: [...]}}`). */
export function expectedArtefacts(outputs: Record<string, unknown>, digests: readonly ServerFile[] = []): ExpectedArtefacts {
  const files: ServerFile[] = [];
  const texts: string[] = [];
  const seen = new Set<string>();
  for (const node of Object.values(outputs)) {
    if (typeof node !== 'object' || node === null) continue;
    for (const list of Object.values(node as Record<string, unknown>)) {
      if (!Array.isArray(list)) continue;
      for (const item of list) {
        if (typeof item === 'string') texts.push(item);
        const ref = fileRefOf(item);
        if (!ref) continue;
        const type = ref.type ?? 'output';
        const key = fileKey({ ...ref, type });
        if (seen.has(key)) continue;
        seen.add(key);
        const digest = digests.find((d) => fileKey(d) === key)?.sha256;
        files.push({ ...ref, type, ...(digest ? { sha256: digest } : {}) });
      }
    }
  }
  return { files, texts };
}

/** Reads every artefact a client report carries, whatever its shape. */
export function deliveredArtefacts(value: unknown): DeliveredArtefacts {
  const out: DeliveredArtefacts = { refs: [], blobs: [], texts: new Set() };
  let budget = MAX_VALUES;
  const visit = (v: unknown, depth: number): void => {
    if (--budget < 0 || depth > MAX_DEPTH) return;
    if (typeof v === 'string') return readString(v, out);
    if (Array.isArray(v)) {
      const bytes = byteArrayOf(v);
      if (bytes) return addBlob(bytes, out);
      for (const item of v) visit(item, depth + 1);
      return;
    }
    if (typeof v !== 'object' || v === null) return;
    const record = v as Record<string, unknown>;
    if (record.type === 'Buffer' && Array.isArray(record.data)) {
      const bytes = byteArrayOf(record.data);
      if (bytes) return addBlob(bytes, out);
    }
    const ref = fileRefOf(record);
    if (ref) out.refs.push(ref);
    for (const [key, item] of Object.entries(record)) {
      // The reference's own fields are read; a file's `type` is not a text.
      if (ref && (key === 'filename' || key === 'subfolder' || key === 'type')) continue;
      visit(item, depth + 1);
    }
  };
  visit(value, 0);
  return out;
}

export function fileKey(f: FileArtefact): string {
  return `${f.type}/${f.subfolder}/${f.filename}`;
}

/** Whether a delivered reference names this server file (a missing type matches any). */
export function refNames(ref: DeliveredArtefacts['refs'][number], file: FileArtefact): boolean {
  return ref.filename === file.filename && ref.subfolder === file.subfolder && (ref.type === undefined || ref.type === file.type);
}

function fileRefOf(value: unknown): { filename: string; subfolder: string; type?: string } | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const r = value as { filename?: unknown; subfolder?: unknown; type?: unknown };
  if (typeof r.filename !== 'string' || r.filename.length === 0) return null;
  return {
    filename: r.filename,
    subfolder: typeof r.subfolder === 'string' ? r.subfolder : '',
    ...(typeof r.type === 'string' && r.type !== '' ? { type: r.type } : {}),
  };
}

const BASE64 = /^[A-Za-z0-9+/\r\n]+={0,2}$/;

function readString(text: string, out: DeliveredArtefacts): void {
  const view = viewRefOf(text);
  if (view) {
    out.refs.push(view);
    return;
  }
  const dataUrl = /^data:[\w/+.-]*;base64,(.*)$/s.exec(text);
  const candidate = dataUrl ? dataUrl[1]! : text;
  if ((dataUrl || candidate.length >= 24) && BASE64.test(candidate)) {
    const bytes = Buffer.from(candidate, 'base64');
    if (dataUrl || kindOf(bytes) !== 'other') {
      addBlob(bytes, out);
      return;
    }
  }
  out.texts.add(text);
}

/** `.../view?filename=a.png&subfolder=&type=output` (absolute, relative, or with `/api`). */
function viewRefOf(text: string): { filename: string; subfolder: string; type?: string } | null {
  if (!/(^|\/)view\?/.test(text) || text.length > 8_192) return null;
  let url: URL;
  try {
    url = new URL(text, 'http://relative.invalid');
  } catch {
    return null;
  }
  if (!/(^|\/)view$/.test(url.pathname)) return null;
  const filename = url.searchParams.get('filename');
  if (!filename) return null;
  const type = url.searchParams.get('type');
  return { filename, subfolder: url.searchParams.get('subfolder') ?? '', ...(type ? { type } : {}) };
}

function byteArrayOf(list: unknown[]): Uint8Array | null {
  if (list.length < 8 || list.length > 64 * 1024 * 1024) return null;
  for (const b of list) if (typeof b !== 'number' || !Number.isInteger(b) || b < 0 || b > 255) return null;
  const bytes = Uint8Array.from(list as number[]);
  return kindOf(bytes) === 'other' ? null : bytes;
}

function kindOf(bytes: Uint8Array): 'png' | 'jpeg' | 'other' {
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  return 'other';
}

function addBlob(bytes: Uint8Array, out: DeliveredArtefacts): void {
  out.blobs.push({ sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length, kind: kindOf(bytes) });
}
