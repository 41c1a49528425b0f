import { spawnSync } from 'node:child_process';
import { crc32 as zlibCrc32, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32, makePng, PNG_SIGNATURE, TINY_JPEG } from '../../../src/simulator/files/png.ts';

interface Chunk {
  type: string;
  data: Buffer;
  crc: number;
  crcOfTypeAndData: number;
}

/** Walks the chunks of a PNG independently of the code under test. */
function chunks(png: Uint8Array): Chunk[] {
  const buffer = Buffer.from(png);
  const found: Chunk[] = [];
  let at = 8;
  while (at < buffer.length) {
    const length = buffer.readUInt32BE(at);
    const type = buffer.toString('latin1', at + 4, at + 8);
    found.push({
      type,
      data: buffer.subarray(at + 8, at + 8 + length),
      crc: buffer.readUInt32BE(at + 8 + length),
      // node:zlib's CRC-32, so a bug in ours cannot hide behind itself.
      crcOfTypeAndData: zlibCrc32(buffer.subarray(at + 4, at + 8 + length)),
    });
    at += 12 + length;
  }
  expect(at).toBe(buffer.length);
  return found;
}

describe('crc32', () => {
  it('matches the standard check value for "123456789"', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });
});

describe('makePng', () => {
  it('starts with the PNG signature and has IHDR, IDAT and IEND in order', () => {
    const png = makePng({ width: 5, height: 3, seed: 'a' });
    expect([...png.subarray(0, 8)]).toEqual([...PNG_SIGNATURE]);
    expect(chunks(png).map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
  });

  it('writes a valid CRC on every chunk', () => {
    for (const chunk of chunks(makePng({ width: 17, height: 9, seed: 'crc' }))) {
      expect(chunk.crc, chunk.type).toBe(chunk.crcOfTypeAndData);
    }
  });

  it('declares the requested size as 8-bit RGB and inflates to exactly those scanlines', () => {
    const [ihdr, idat] = chunks(makePng({ width: 7, height: 4, seed: 's' }));
    expect(ihdr.data.readUInt32BE(0)).toBe(7);
    expect(ihdr.data.readUInt32BE(4)).toBe(4);
    expect([ihdr.data[8], ihdr.data[9], ihdr.data[12]]).toEqual([8, 2, 0]);
    const raw = inflateSync(idat.data);
    expect(raw.length).toBe(4 * (1 + 7 * 3));
    for (let row = 0; row < 4; row++) expect(raw[row * 22]).toBe(0);
  });

  it('gives the same bytes for the same seed and different pixels for another seed', () => {
    expect(Buffer.from(makePng({ seed: 'x' })).equals(Buffer.from(makePng({ seed: 'x' })))).toBe(true);
    const pixels = (seed: string) => inflateSync(chunks(makePng({ width: 4, height: 4, seed }))[1].data);
    expect(pixels('x').equals(pixels('y'))).toBe(false);
  });

  it('defaults to 64x64', () => {
    expect(chunks(makePng())[0].data.readUInt32BE(0)).toBe(64);
  });

  it('refuses sizes that are not whole pixels in range', () => {
    expect(() => makePng({ width: 0 })).toThrow(RangeError);
    expect(() => makePng({ height: 1.5 })).toThrow(/height/);
    expect(() => makePng({ width: 5000 })).toThrow(/4096/);
  });
});

describe('TINY_JPEG', () => {
  it('is a baseline JPEG from SOI to EOI with a frame of 8x8 and three components', () => {
    const jpeg = Buffer.from(TINY_JPEG);
    expect([jpeg[0], jpeg[1]]).toEqual([0xff, 0xd8]);
    expect([jpeg.at(-2), jpeg.at(-1)]).toEqual([0xff, 0xd9]);
    const sof = jpeg.indexOf(Buffer.from([0xff, 0xc0]));
    expect(sof).toBeGreaterThan(0);
    expect(jpeg.readUInt16BE(sof + 5)).toBe(8);
    expect(jpeg.readUInt16BE(sof + 7)).toBe(8);
    expect(jpeg[sof + 9]).toBe(3);
  });

  it('has well-formed marker segments up to the scan', () => {
    const jpeg = Buffer.from(TINY_JPEG);
    let at = 2;
    const markers: number[] = [];
    while (jpeg[at] === 0xff && jpeg[at + 1] !== 0xda) {
      markers.push(jpeg[at + 1]);
      at += 2 + jpeg.readUInt16BE(at + 2);
    }
    expect(jpeg[at + 1]).toBe(0xda);
    expect(markers).toEqual([0xe0, 0xdb, 0xc0, 0xc4, 0xc4]);
  });

  // libjpeg-turbo's djpeg is the strictest decoder at hand; skipped where it is not installed.
  const hasDjpeg = spawnSync('djpeg', ['-version']).error === undefined;
  it.runIf(hasDjpeg)('decodes with djpeg without warnings to an 8x8 orange image', () => {
    const result = spawnSync('djpeg', ['-pnm'], { input: TINY_JPEG });
    expect(result.status).toBe(0);
    expect(result.stderr.toString()).toBe('');
    const ppm = result.stdout;
    expect(ppm.subarray(0, 11).toString('latin1')).toBe('P6\n8 8\n255\n');
    const [r, g, b] = ppm.subarray(11, 14);
    expect(r).toBeGreaterThan(g);
    expect(g).toBeGreaterThan(b);
  });
});
