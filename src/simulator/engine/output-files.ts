import { createHash } from 'node:crypto';
import type { NodeOutput } from '../../protocol/index.ts';
import { isFolderType, type FileStore } from '../files/file-store.ts';

/** A file an output names, with the digest of the bytes `/view` serves for it. */
export interface OutputFileDigest {
  filename: string;
  subfolder: string;
  type: string;
  sha256: string;
  bytes: number;
}

/**
 * Every `{filename, subfolder, type}` in a prompt's outputs (images, gifs, audio... any list of
 * them), with the SHA-256 of the file as stored now. The trace keeps these on the `success` line, so
 * that right-outputs can tell a delivered PNG from a preview frame or another job's file. Files the
 * store does not have (a scripted prompt's recorded outputs) are left out.
 */
export function outputFileDigests(outputs: Record<string, NodeOutput>, files: FileStore): OutputFileDigest[] {
  const digests: OutputFileDigest[] = [];
  const seen = new Set<string>();
  for (const node of Object.values(outputs)) {
    if (typeof node !== 'object' || node === null) continue;
    for (const list of Object.values(node as Record<string, unknown>)) {
      if (!Array.isArray(list)) continue;
      for (const item of list) {
        const ref = item as { filename?: unknown; subfolder?: unknown; type?: unknown } | null;
        if (typeof ref?.filename !== 'string') continue;
        const subfolder = typeof ref.subfolder === 'string' ? ref.subfolder : '';
        const type = typeof ref.type === 'string' ? ref.type : 'output';
        const key = `${type}/${subfolder}/${ref.filename}`;
        if (seen.has(key) || !isFolderType(type)) continue;
        seen.add(key);
        let bytes: Uint8Array | undefined;
        try {
          bytes = files.read(type, subfolder, ref.filename);
        } catch {
          bytes = undefined; // a name the store refuses: nothing /view would serve either
        }
        if (!bytes) continue;
        digests.push({ filename: ref.filename, subfolder, type, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length });
      }
    }
  }
  return digests;
}
