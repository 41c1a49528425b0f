import { deflateSync } from 'node:zlib';
import { concatBytes } from '../../protocol/index.ts';

/**
 * Real, decodable image bytes for the simulator: SaveImage and PreviewImage write PNGs a client
 * can fetch from `/view` and open, and binary preview frames carry a JPEG that a decoder accepts.
 * Clients that sniff or decode what they download must not be fooled by placeholder bytes.
 */

/** The 8-byte signature every PNG starts with. */
export const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

export interface PngOptions {
  /** Width in pixels, 1..4096. @defaultValue 64 */
  width?: number;
  /** Height in pixels, 1..4096. @defaultValue 64 */
  height?: number;
  /**
   * Any string; the same seed always gives the same colours and therefore the same bytes, so
   * traces and uploads that compare content stay reproducible. @defaultValue `''`
   */
  seed?: string;
}

/** Largest side accepted, in pixels: enough for tests, small enough to never blow up memory. */
const MAX_SIDE_PX = 4096;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (ISO 3309, as PNG chunks use) of `bytes`, as an unsigned 32-bit number. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** FNV-1a over the UTF-8 bytes of `seed`: a cheap, stable hash to pick colours from. */
function hashSeed(seed: string): number {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(seed)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Two RGB colours derived from the seed: the image is a diagonal blend between them. */
function seedColours(seed: string): [number[], number[]] {
  const h1 = hashSeed(seed);
  const h2 = hashSeed(`${seed}#2`);
  return [
    [h1 & 0xff, (h1 >>> 8) & 0xff, (h1 >>> 16) & 0xff],
    [h2 & 0xff, (h2 >>> 8) & 0xff, (h2 >>> 16) & 0xff],
  ];
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  // The CRC covers the chunk type and data, not the length.
  view.setUint32(8 + data.length, crc32(out, 4, 8 + data.length));
  return out;
}

/** Images up to this many bytes of scanlines share one buffer (a 512x512 RGB image is 769 KiB). */
const REUSED_SCANLINE_BYTES = 4 * 1024 * 1024;
let sharedScanlines = new Uint8Array(0);

/**
 * Room for `bytes` of scanlines: one buffer reused from image to image (deflate reads it before
 * the next image is drawn), so a search that saves thousands of images does not allocate and
 * collect 769 KiB for each; larger images get their own (issue 15).
 */
function scanlineBuffer(bytes: number): Uint8Array {
  if (bytes > REUSED_SCANLINE_BYTES) return new Uint8Array(bytes);
  if (sharedScanlines.length < bytes) sharedScanlines = new Uint8Array(Math.min(REUSED_SCANLINE_BYTES, Math.max(bytes, 2 * sharedScanlines.length)));
  return sharedScanlines.subarray(0, bytes);
}

function checkSide(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1 || value > MAX_SIDE_PX) {
    throw new RangeError(`makePng: ${name} must be an integer from 1 to ${MAX_SIDE_PX} pixels, got ${value}`);
  }
}

/**
 * Makes an 8-bit RGB PNG (IHDR, one IDAT, IEND, all with valid CRCs) filled with a diagonal
 * gradient between two colours chosen by `seed`.
 * @throws RangeError when a side is not an integer in 1..4096.
 */
export function makePng(options: PngOptions = {}): Uint8Array {
  const { width = 64, height = 64, seed = '' } = options;
  checkSide('width', width);
  checkSide('height', height);

  const ihdr = new Uint8Array(13);
  const ihdrView = new DataView(ihdr.buffer);
  ihdrView.setUint32(0, width);
  ihdrView.setUint32(4, height);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: truecolour RGB
  // compression, filter and interlace methods stay 0 (deflate, adaptive, none)

  const [from, to] = seedColours(seed);
  // A pixel's colour depends on x + y only, so each scanline is a window of one diagonal ramp:
  // the ramp is computed once (width + height - 1 colours) and copied, not recomputed per pixel.
  const stride = 1 + width * 3;
  const raw = scanlineBuffer(stride * height);
  const span = Math.max(1, width + height - 2);
  const ramp = new Uint8Array(3 * (width + height - 1));
  for (let k = 0; k < width + height - 1; k++) {
    const t = k / span;
    for (let c = 0; c < 3; c++) ramp[3 * k + c] = Math.round(from[c] + (to[c] - from[c]) * t);
  }
  for (let y = 0; y < height; y++) {
    raw[y * stride] = 0; // filter type None for every scanline
    raw.set(ramp.subarray(3 * y, 3 * (y + width)), y * stride + 1);
  }

  const parts = [
    PNG_SIGNATURE,
    chunk('IHDR', ihdr),
    chunk('IDAT', new Uint8Array(deflateSync(raw))),
    chunk('IEND', new Uint8Array(0)),
  ];
  return concatBytes(parts);
}

/**
 * Builds a baseline JPEG of one 8x8 block per component (YCbCr, no subsampling), a flat orange.
 * Every AC coefficient is zero, so the Huffman tables need only the DC categories used and EOB;
 * that keeps the file tiny while any conforming decoder (libjpeg, browsers, PIL) still reads it.
 */
function buildTinyJpeg(): Uint8Array {
  const bytes: number[] = [];
  const marker = (code: number, payload: number[]) => {
    const length = payload.length + 2;
    bytes.push(0xff, code, length >> 8, length & 0xff, ...payload);
  };
  bytes.push(0xff, 0xd8); // SOI
  marker(0xe0, [0x4a, 0x46, 0x49, 0x46, 0x00, 1, 1, 0, 0, 1, 0, 1, 0, 0]); // APP0 "JFIF", 1x1 aspect
  // DQT: table 0, 8-bit, DC step 8 (so the quantised DC values below stay small), the rest 1.
  marker(0xdb, [0x00, 8, ...new Array<number>(63).fill(1)]);
  // SOF0: 8-bit, 8x8, three components with 1x1 sampling, all on quant table 0.
  marker(0xc0, [8, 0, 8, 0, 8, 3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0]);
  // DHT DC table 0: two codes of length 2, for categories 5 ("00") and 6 ("01").
  marker(0xc4, [0x00, 0, 2, ...new Array<number>(14).fill(0), 5, 6]);
  // DHT AC table 0: one code of length 1 ("0") for EOB (0x00).
  marker(0xc4, [0x10, 1, ...new Array<number>(15).fill(0), 0x00]);
  // SOS: three components, all on DC/AC table 0, full spectral range.
  marker(0xda, [3, 1, 0x00, 2, 0x00, 3, 0x00, 0, 63, 0]);

  // Level-shifted means Y=+22, Cb=-38, Cr=+42 (djpeg gives RGB 209,133,83); DC = 8*mean, /8 by DQT.
  let bits = '';
  const dc = (code: string, category: number, value: number) => {
    const v = value < 0 ? value + (1 << category) - 1 : value; // JPEG one's-complement for negatives
    bits += code + v.toString(2).padStart(category, '0') + '0'; // trailing '0' is EOB
  };
  dc('00', 5, 22);
  dc('01', 6, -38);
  dc('01', 6, 42);
  bits = bits.padEnd(Math.ceil(bits.length / 8) * 8, '1'); // pad with 1s, as the standard asks
  for (let i = 0; i < bits.length; i += 8) {
    const b = parseInt(bits.slice(i, i + 8), 2);
    bytes.push(b);
    if (b === 0xff) bytes.push(0x00); // byte stuffing
  }
  bytes.push(0xff, 0xd9); // EOI
  return Uint8Array.from(bytes);
}

/** A real 8x8 baseline JPEG (about 150 bytes), for binary preview frames of format JPEG. */
export const TINY_JPEG: Uint8Array = buildTinyJpeg();
