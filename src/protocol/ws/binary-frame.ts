import { z } from 'zod';

/** Binary event types; all integers are unsigned 32-bit big-endian. */
export const BinaryEventType = {
  PREVIEW_IMAGE: 1,
  UNENCODED_PREVIEW_IMAGE: 2,
  TEXT: 3,
  PREVIEW_IMAGE_WITH_METADATA: 4,
} as const;

export const previewImageFormat = { JPEG: 1, PNG: 2 } as const;

export const previewMetadata = z.looseObject({
  node_id: z.string(),
  prompt_id: z.string(),
  display_node_id: z.string(),
  parent_node_id: z.string().nullable(),
  real_node_id: z.string(),
  image_type: z.enum(['image/png', 'image/jpeg']),
});
export type PreviewMetadata = z.infer<typeof previewMetadata>;

export type BinaryFrame =
  | { kind: 'preview_image'; format: 'jpeg' | 'png'; image: Uint8Array }
  | { kind: 'text'; nodeId: string; text: string }
  | { kind: 'preview_image_with_metadata'; metadata: PreviewMetadata; image: Uint8Array }
  | { kind: 'unknown'; eventType: number; payload: Uint8Array };

export class BinaryFrameError extends Error {
  readonly code = 'CC_ERR_BINARY_FRAME';
  override name = 'BinaryFrameError';
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: false });

function u32(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value, false);
  return out;
}

/** Joins byte arrays into one. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function encodeBinaryFrame(frame: BinaryFrame): Uint8Array {
  switch (frame.kind) {
    case 'preview_image':
      return concatBytes([
        u32(BinaryEventType.PREVIEW_IMAGE),
        u32(frame.format === 'jpeg' ? previewImageFormat.JPEG : previewImageFormat.PNG),
        frame.image,
      ]);
    case 'text': {
      const id = utf8.encode(frame.nodeId);
      return concatBytes([u32(BinaryEventType.TEXT), u32(id.length), id, utf8.encode(frame.text)]);
    }
    case 'preview_image_with_metadata': {
      const json = utf8.encode(JSON.stringify(frame.metadata));
      return concatBytes([u32(BinaryEventType.PREVIEW_IMAGE_WITH_METADATA), u32(json.length), json, frame.image]);
    }
    case 'unknown':
      return concatBytes([u32(frame.eventType), frame.payload]);
  }
}

/** Decodes a binary frame. Throws {@link BinaryFrameError} naming what is wrong when the layout is broken. */
export function decodeBinaryFrame(bytes: Uint8Array): BinaryFrame {
  if (bytes.length < 4) throw new BinaryFrameError(`binary frame of ${bytes.length} bytes has no 4-byte event type`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const eventType = view.getUint32(0, false);
  if (eventType === BinaryEventType.PREVIEW_IMAGE) {
    if (bytes.length < 8) throw new BinaryFrameError('PREVIEW_IMAGE frame shorter than its 8-byte header');
    const format = view.getUint32(4, false);
    if (format !== previewImageFormat.JPEG && format !== previewImageFormat.PNG) {
      throw new BinaryFrameError(`PREVIEW_IMAGE format ${format} is not 1 (JPEG) or 2 (PNG)`);
    }
    return { kind: 'preview_image', format: format === 1 ? 'jpeg' : 'png', image: bytes.subarray(8) };
  }
  if (eventType === BinaryEventType.TEXT || eventType === BinaryEventType.PREVIEW_IMAGE_WITH_METADATA) {
    if (bytes.length < 8) throw new BinaryFrameError(`binary frame type ${eventType} shorter than its 8-byte header`);
    const len = view.getUint32(4, false);
    if (8 + len > bytes.length) {
      throw new BinaryFrameError(`binary frame type ${eventType} declares ${len} bytes but has ${bytes.length - 8}`);
    }
    const head = bytes.subarray(8, 8 + len);
    const rest = bytes.subarray(8 + len);
    if (eventType === BinaryEventType.TEXT) {
      return { kind: 'text', nodeId: utf8Decoder.decode(head), text: utf8Decoder.decode(rest) };
    }
    let json: unknown;
    try {
      json = JSON.parse(utf8Decoder.decode(head));
    } catch {
      throw new BinaryFrameError('PREVIEW_IMAGE_WITH_METADATA metadata is not JSON');
    }
    const metadata = previewMetadata.safeParse(json);
    if (!metadata.success) throw new BinaryFrameError(`PREVIEW_IMAGE_WITH_METADATA metadata: ${z.prettifyError(metadata.error)}`);
    return { kind: 'preview_image_with_metadata', metadata: metadata.data, image: rest };
  }
  return { kind: 'unknown', eventType, payload: bytes.subarray(4) };
}
