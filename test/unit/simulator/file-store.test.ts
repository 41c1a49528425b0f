import { describe, expect, it } from 'vitest';
import {
  FileStore,
  FileStoreError,
  parseAnnotatedFilename,
  resolveRelativePath,
} from '../../../src/simulator/files/file-store.ts';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('resolveRelativePath', () => {
  it('normalises paths that stay inside the folder', () => {
    expect(resolveRelativePath('', 'x.png')).toBe('x.png');
    expect(resolveRelativePath('a/../b', 'x.png')).toBe('b/x.png');
    expect(resolveRelativePath('a/', './x.png')).toBe('a/x.png');
  });

  it('refuses empty, absolute and escaping paths', () => {
    expect(resolveRelativePath('', '')).toBeNull();
    expect(resolveRelativePath('/etc', 'passwd')).toBeNull();
    expect(resolveRelativePath('', '/etc/passwd')).toBeNull();
    expect(resolveRelativePath('..', 'x.png')).toBeNull();
    expect(resolveRelativePath('a/../../b', 'x.png')).toBeNull();
  });
});

describe('parseAnnotatedFilename', () => {
  it('splits a trailing [output], [input] or [temp] annotation', () => {
    expect(parseAnnotatedFilename('x.png [output]')).toEqual({ name: 'x.png', type: 'output' });
    expect(parseAnnotatedFilename('sub/x.png [temp]')).toEqual({ name: 'sub/x.png', type: 'temp' });
    expect(parseAnnotatedFilename('x.png')).toEqual({ name: 'x.png', type: null });
    expect(parseAnnotatedFilename('x.png [other]')).toEqual({ name: 'x.png [other]', type: null });
  });
});

describe('FileStore', () => {
  it('reads back what it wrote, per folder type and subfolder', () => {
    const store = new FileStore();
    store.write('input', 'sub', 'a.png', bytes('A'));
    expect(store.read('input', 'sub', 'a.png')).toEqual(bytes('A'));
    expect(store.read('output', 'sub', 'a.png')).toBeUndefined();
    expect(store.read('input', '', 'a.png')).toBeUndefined();
    expect(store.exists('input', 'sub/x/..', 'a.png')).toBe(true);
  });

  it('keeps its own copy of written bytes', () => {
    const store = new FileStore();
    const data = bytes('A');
    store.write('input', '', 'a.png', data);
    data[0] = 0;
    expect(store.read('input', '', 'a.png')).toEqual(bytes('A'));
  });

  it('throws CC_ERR_FILE_PATH for a path that leaves the folder', () => {
    const store = new FileStore();
    expect(() => store.write('input', '../x', 'a.png', bytes('A'))).toThrow(FileStoreError);
    try {
      store.write('input', '', '../../a.png', bytes('A'));
    } catch (error) {
      expect((error as FileStoreError).code).toBe('CC_ERR_FILE_PATH');
      expect((error as Error).message).toContain('../../a.png');
    }
  });

  it('lists only the files directly inside a subfolder, sorted', () => {
    const store = new FileStore();
    store.write('input', '', 'b.png', bytes('b'));
    store.write('input', '', 'a.png', bytes('a'));
    store.write('input', 'deep', 'c.png', bytes('c'));
    expect(store.list('input')).toEqual(['a.png', 'b.png']);
    expect(store.list('input', 'deep')).toEqual(['c.png']);
    expect(store.list('input', '../x')).toEqual([]);
  });

  it('names saved outputs like ComfyUI: ComfyUI_00001_.png, then _00002_', () => {
    const store = new FileStore();
    expect(store.saveCounted('output', 'ComfyUI', bytes('1'))).toEqual({ filename: 'ComfyUI_00001_.png', subfolder: '', type: 'output' });
    expect(store.saveCounted('output', 'ComfyUI', bytes('2')).filename).toBe('ComfyUI_00002_.png');
    expect(store.saveCounted('output', 'Other', bytes('3')).filename).toBe('Other_00001_.png');
  });

  it('continues after the highest counter in use, ignoring other names', () => {
    const store = new FileStore();
    store.write('output', '', 'ComfyUI_00041_.png', bytes('x'));
    store.write('output', '', 'ComfyUI_temp_abcde_00099_.png', bytes('x'));
    store.write('output', '', 'ComfyUIx_00500_.png', bytes('x'));
    expect(store.saveCounted('output', 'ComfyUI', bytes('y')).filename).toBe('ComfyUI_00042_.png');
  });

  it('puts a prefix with a directory into that subfolder with its own counter', () => {
    const store = new FileStore();
    store.saveCounted('output', 'ComfyUI', bytes('a'));
    const ref = store.saveCounted('output', 'run1/cat', bytes('b'));
    expect(ref).toEqual({ filename: 'cat_00001_.png', subfolder: 'run1', type: 'output' });
    expect(store.read('output', 'run1', 'cat_00001_.png')).toEqual(bytes('b'));
  });

  it('substitutes %width%, %height% and %batch_num%', () => {
    const store = new FileStore();
    const ref = store.saveCounted('output', 'img_%width%x%height%_%batch_num%', bytes('a'), { width: 64, height: 32, batchNumber: 2 });
    expect(ref.filename).toBe('img_64x32_2_00001_.png');
  });

  it('refuses a prefix that would save outside the folder', () => {
    expect(() => new FileStore().saveCounted('output', '../escape', bytes('a'))).toThrow(/outside the output folder/);
  });

  it('clears all folders by default, or only the ones named', () => {
    const store = new FileStore();
    store.write('input', '', 'a.png', bytes('a'));
    store.write('temp', '', 't.png', bytes('t'));
    store.clear(['temp']);
    expect(store.exists('temp', '', 't.png')).toBe(false);
    expect(store.exists('input', '', 'a.png')).toBe(true);
    store.clear();
    expect(store.exists('input', '', 'a.png')).toBe(false);
  });

  it('checks annotated names against the right folder', () => {
    const store = new FileStore();
    store.write('output', '', 'x.png', bytes('x'));
    expect(store.existsAnnotated('x.png [output]')).toBe(true);
    expect(store.existsAnnotated('x.png')).toBe(false);
  });
});

describe('FileStore, issue 11', () => {
  it('refuses prefixes whose folder leaves output, as get_save_image_path does', () => {
    for (const prefix of ['../x', '/tmp/x', 'a/../../x', '/']) {
      expect(() => new FileStore().saveCounted('output', prefix, bytes('a')), prefix).toThrow(/outside the output folder/);
    }
  });

  it('saves a prefix that normalises to ".." or "." under that name, as ComfyUI does', () => {
    const store = new FileStore();
    expect(store.saveCounted('output', '..', bytes('a'))).toEqual({ filename: '.._00001_.png', subfolder: '', type: 'output' });
    expect(store.saveCounted('output', 'a/../..', bytes('b')).filename).toBe('.._00002_.png');
    expect(store.saveCounted('output', '', bytes('c')).filename).toBe('._00001_.png');
    expect(store.saveCounted('output', 'run/', bytes('d'))).toEqual({ filename: 'run_00001_.png', subfolder: '', type: 'output' });
  });

  it('keeps at most maxTotalBytes over all folders, counting replaced and deleted files back', () => {
    const store = new FileStore({ maxTotalBytes: 10 });
    store.write('input', '', 'a', new Uint8Array(6));
    expect(() => store.write('output', '', 'b', new Uint8Array(5))).toThrow(expect.objectContaining({ code: 'CC_ERR_FILE_STORE_FULL' }));
    store.write('input', '', 'a', new Uint8Array(9)); // replaces the 6 bytes
    expect(store.totalBytes).toBe(9);
    store.delete('input', '', 'a');
    store.write('temp', '', 'c', new Uint8Array(10));
    store.clear(['temp']);
    expect(store.totalBytes).toBe(0);
  });
});
