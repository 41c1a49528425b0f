import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { outputFileDigests } from '../../../src/simulator/engine/output-files.ts';
import { FileStore } from '../../../src/simulator/files/file-store.ts';

describe('outputFileDigests', () => {
  it('digests every file the outputs name, once, and skips what the store does not have', () => {
    const files = new FileStore();
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    const gif = new Uint8Array([0x47, 0x49, 0x46, 9]);
    files.write('output', '', 'a_00001_.png', png);
    files.write('temp', 'sub', 'b.gif', gif);
    const outputs = {
      '9': { images: [{ filename: 'a_00001_.png', subfolder: '', type: 'output' }, { filename: 'a_00001_.png', subfolder: '', type: 'output' }] },
      '10': { gifs: [{ filename: 'b.gif', subfolder: 'sub', type: 'temp' }], text: ['not a file'] },
      '11': { images: [{ filename: 'gone.png', subfolder: '', type: 'output' }, { filename: '../escape.png', subfolder: '', type: 'output' }, { filename: 'x.png', type: 'nowhere' }] },
    };
    const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
    expect(outputFileDigests(outputs, files)).toEqual([
      { filename: 'a_00001_.png', subfolder: '', type: 'output', sha256: sha(png), bytes: png.length },
      { filename: 'b.gif', subfolder: 'sub', type: 'temp', sha256: sha(gif), bytes: gif.length },
    ]);
  });
});
