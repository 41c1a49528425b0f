import { describe, expect, it } from 'vitest';
import { uploadImageReply } from '../../../src/protocol/index.ts';
import { FileStore } from '../../../src/simulator/files/file-store.ts';
import { makePng } from '../../../src/simulator/files/png.ts';
import {
  contentTypeFor,
  MultipartError,
  parseMultipart,
  printableHeaderText,
  REASON_HEADER,
  uploadImage,
  uploadMask,
  viewFile,
} from '../../../src/simulator/http/file-routes.ts';
import type { SimRequest, SimResponse } from '../../../src/simulator/http/types.ts';

function getView(query: Record<string, string>): SimRequest {
  return { method: 'GET', path: '/view', query: new URLSearchParams(query), headers: {}, body: new Uint8Array() };
}

type Field = { name: string; value: string } | { name: string; filename: string; data: Uint8Array };

const BOUNDARY = '----comfychaos7MA4YWxkTrZu0gW';

/** Encodes a form the way browsers and `requests` do. */
function multipart(fields: Field[], boundary = BOUNDARY): Uint8Array {
  const chunks: Buffer[] = [];
  for (const field of fields) {
    chunks.push(Buffer.from(`--${boundary}\r\n`));
    if ('filename' in field) {
      chunks.push(Buffer.from(`Content-Disposition: form-data; name="${field.name}"; filename="${field.filename}"\r\nContent-Type: image/png\r\n\r\n`));
      chunks.push(Buffer.from(field.data), Buffer.from('\r\n'));
    } else {
      chunks.push(Buffer.from(`Content-Disposition: form-data; name="${field.name}"\r\n\r\n${field.value}\r\n`));
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return new Uint8Array(Buffer.concat(chunks));
}

function postUpload(fields: Field[], path = '/upload/image'): SimRequest {
  return {
    method: 'POST',
    path,
    query: new URLSearchParams(),
    headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
    body: multipart(fields),
  };
}

const image = (data: Uint8Array, filename = 'cat.png'): Field => ({ name: 'image', filename, data });

function json(response: SimResponse): unknown {
  expect(response.status).toBe(200);
  return JSON.parse(String(response.body));
}

function expectBodyless(response: SimResponse, status: number, reason?: RegExp) {
  expect(response.status).toBe(status);
  expect(response.body).toBe('');
  if (reason) expect(response.headers?.[REASON_HEADER]).toMatch(reason);
}

describe('viewFile', () => {
  const store = new FileStore();
  const png = makePng({ seed: 'view' });
  store.write('output', '', 'ComfyUI_00001_.png', png);
  store.write('output', 'run1', 'cat_00001_.png', png);
  store.write('temp', '', 'preview.png', png);
  store.write('input', '', 'page.html', new TextEncoder().encode('<script>alert(1)</script>'));
  store.write('input', '', 'app.js', new TextEncoder().encode('alert(1)'));

  it('serves an output file with its content type and Content-Disposition', () => {
    const response = viewFile(getView({ filename: 'ComfyUI_00001_.png', type: 'output', subfolder: '' }), store);
    expect(response.status).toBe(200);
    expect(response.headers).toMatchObject({ 'content-type': 'image/png', 'content-disposition': 'filename="ComfyUI_00001_.png"' });
    expect(response.body).toEqual(png);
  });

  it('defaults the type to output and honours the subfolder', () => {
    expect(viewFile(getView({ filename: 'cat_00001_.png', subfolder: 'run1' }), store).status).toBe(200);
    expect(viewFile(getView({ filename: 'cat_00001_.png' }), store).status).toBe(404);
  });

  it('lets an annotation in the name choose the folder over the type parameter', () => {
    expect(viewFile(getView({ filename: 'preview.png [temp]', type: 'output' }), store).status).toBe(200);
    expect(viewFile(getView({ filename: 'preview.png', type: 'output' }), store).status).toBe(404);
  });

  it('answers 404 without a filename and for a missing file', () => {
    expectBodyless(viewFile(getView({}), store), 404, /filename/);
    expectBodyless(viewFile(getView({ filename: 'nope.png' }), store), 404, /nope\.png/);
  });

  it('answers 400 for an empty name, an absolute path or ".." in the name', () => {
    expectBodyless(viewFile(getView({ filename: '' }), store), 400, /empty/);
    expectBodyless(viewFile(getView({ filename: ' [output]' }), store), 400);
    expectBodyless(viewFile(getView({ filename: '/etc/passwd' }), store), 400, /relative/);
    expectBodyless(viewFile(getView({ filename: '../secrets.png' }), store), 400, /\.\./);
    // ComfyUI refuses any "..", even inside a harmless name.
    expectBodyless(viewFile(getView({ filename: 'a..b.png' }), store), 400);
  });

  it('answers 400 for an unknown type', () => {
    expectBodyless(viewFile(getView({ filename: 'x.png', type: 'models' }), store), 400, /models/);
    expectBodyless(viewFile(getView({ filename: 'x.png', type: '' }), store), 400);
  });

  it('answers 403 when the subfolder leaves the base folder', () => {
    for (const subfolder of ['..', '../input', 'run1/../../temp', '/etc']) {
      expectBodyless(viewFile(getView({ filename: 'preview.png', subfolder }), store), 403, /leaves/);
    }
    expect(viewFile(getView({ filename: 'ComfyUI_00001_.png', subfolder: 'run1/..' }), store).status).toBe(200);
  });

  it('keeps only the last segment of a name with directories', () => {
    expect(viewFile(getView({ filename: 'whatever/ComfyUI_00001_.png' }), store).status).toBe(200);
  });

  it('forces html and js to download as application/octet-stream', () => {
    for (const filename of ['page.html', 'app.js']) {
      const response = viewFile(getView({ filename, type: 'input' }), store);
      expect(response.status).toBe(200);
      expect(response.headers?.['content-type']).toBe('application/octet-stream');
    }
  });
});

describe('contentTypeFor', () => {
  it('guesses from the extension, case-insensitively, and falls back to octet-stream', () => {
    expect(contentTypeFor('a.PNG')).toBe('image/png');
    expect(contentTypeFor('a.jpeg')).toBe('image/jpeg');
    expect(contentTypeFor('clip.webm')).toBe('video/webm');
    expect(contentTypeFor('README')).toBe('application/octet-stream');
  });
});

describe('parseMultipart', () => {
  it('reads text fields and binary file parts byte for byte', () => {
    const data = Uint8Array.from([0, 13, 10, 45, 45, 255, 0]);
    const parts = parseMultipart(multipart([image(data), { name: 'type', value: 'temp' }]), `multipart/form-data; boundary="${BOUNDARY}"`);
    expect(parts).toHaveLength(2);
    expect(parts[0]).toMatchObject({ name: 'image', filename: 'cat.png', contentType: 'image/png' });
    expect(parts[0].data).toEqual(data);
    expect(parts[1].filename).toBeUndefined();
    expect(Buffer.from(parts[1].data).toString()).toBe('temp');
  });

  it('decodes RFC 5987 filename* parameters', () => {
    const body = Buffer.from(
      `--b\r\nContent-Disposition: form-data; name="image"; filename="x.png"; filename*=UTF-8''%C3%A9t%C3%A9.png\r\n\r\nX\r\n--b--\r\n`,
    );
    expect(parseMultipart(body, 'multipart/form-data; boundary=b')[0].filename).toBe('été.png');
  });

  it('throws CC_ERR_MULTIPART for a missing boundary or a truncated body', () => {
    expect(() => parseMultipart(new Uint8Array(), 'multipart/form-data')).toThrow(/no boundary/);
    expect(() => parseMultipart(new Uint8Array(), 'application/json')).toThrow(MultipartError);
    const truncated = multipart([image(Uint8Array.of(1, 2, 3))]).subarray(0, 100);
    try {
      parseMultipart(truncated, `multipart/form-data; boundary=${BOUNDARY}`);
      expect.unreachable();
    } catch (error) {
      expect((error as MultipartError).code).toBe('CC_ERR_MULTIPART');
    }
  });
});

describe('uploadImage', () => {
  const png = makePng({ seed: 'one' });
  const other = makePng({ seed: 'two' });

  it('stores the file in input and replies {name, subfolder, type}', () => {
    const store = new FileStore();
    const reply = uploadImageReply.parse(json(uploadImage(postUpload([image(png)]), store)));
    expect(reply).toEqual({ name: 'cat.png', subfolder: '', type: 'input' });
    expect(store.read('input', '', 'cat.png')).toEqual(png);
  });

  it('honours the type and subfolder fields', () => {
    const store = new FileStore();
    const fields: Field[] = [image(png), { name: 'type', value: 'temp' }, { name: 'subfolder', value: 'masks' }];
    expect(json(uploadImage(postUpload(fields), store))).toEqual({ name: 'cat.png', subfolder: 'masks', type: 'temp' });
    expect(store.exists('temp', 'masks', 'cat.png')).toBe(true);
  });

  it('renames a clashing upload with different content to "stem (1).ext", then "(2)"', () => {
    const store = new FileStore();
    uploadImage(postUpload([image(png)]), store);
    expect(json(uploadImage(postUpload([image(other)]), store))).toMatchObject({ name: 'cat (1).png' });
    expect(json(uploadImage(postUpload([image(makePng({ seed: 'three' }))]), store))).toMatchObject({ name: 'cat (2).png' });
    expect(store.read('input', '', 'cat.png')).toEqual(png);
    expect(store.read('input', '', 'cat (1).png')).toEqual(other);
  });

  it('reuses the existing name when the same content is uploaded again', () => {
    const store = new FileStore();
    uploadImage(postUpload([image(png)]), store);
    uploadImage(postUpload([image(other)]), store);
    expect(json(uploadImage(postUpload([image(png)]), store))).toMatchObject({ name: 'cat.png' });
    expect(json(uploadImage(postUpload([image(other)]), store))).toMatchObject({ name: 'cat (1).png' });
    expect(store.list('input')).toEqual(['cat (1).png', 'cat.png']);
  });

  it('overwrites in place when overwrite is "true" or "1"', () => {
    for (const overwrite of ['true', '1']) {
      const store = new FileStore();
      uploadImage(postUpload([image(png)]), store);
      expect(json(uploadImage(postUpload([image(other), { name: 'overwrite', value: overwrite }]), store))).toMatchObject({ name: 'cat.png' });
      expect(store.read('input', '', 'cat.png')).toEqual(other);
    }
  });

  it('answers 400 when there is no file, the name is empty or the path escapes', () => {
    const store = new FileStore();
    expectBodyless(uploadImage(postUpload([{ name: 'type', value: 'input' }]), store), 400, /no file in field "image"/);
    expectBodyless(uploadImage(postUpload([{ name: 'image', value: 'not a file' }]), store), 400, /no file/);
    expectBodyless(uploadImage(postUpload([image(png, '')]), store), 400, /empty name/);
    expectBodyless(uploadImage(postUpload([image(png, '../../evil.png')]), store), 400, /leaves the input folder/);
    expectBodyless(uploadImage(postUpload([image(png), { name: 'subfolder', value: '../x' }]), store), 400, /leaves/);
    expectBodyless(uploadImage(postUpload([image(png), { name: 'subfolder', value: '/tmp' }]), store), 400, /leaves/);
    expect(store.list('input')).toEqual([]);
  });

  it('answers 400 for an unknown type and for a body that is not multipart', () => {
    const store = new FileStore();
    expectBodyless(uploadImage(postUpload([image(png), { name: 'type', value: 'models' }]), store), 400, /unknown type "models"/);
    const notMultipart: SimRequest = { ...postUpload([]), headers: { 'content-type': 'application/json' }, body: new Uint8Array() };
    expectBodyless(uploadImage(notMultipart, store), 400, /multipart\/form-data/);
  });

  it('answers 413 above the maximum upload size and stores nothing', () => {
    const store = new FileStore();
    const response = uploadImage(postUpload([image(new Uint8Array(1025))]), store, { maxUploadBytes: 1024 });
    expect(response.status).toBe(413);
    expect(String(response.body)).toMatch(/1024.*1025/);
    expect(store.list('input')).toEqual([]);
    expect(uploadImage(postUpload([image(new Uint8Array(1024))]), store, { maxUploadBytes: 1024 }).status).toBe(200);
  });

  it('serves the upload back through /view', () => {
    const store = new FileStore();
    uploadImage(postUpload([image(png), { name: 'subfolder', value: 'a' }]), store);
    expect(viewFile(getView({ filename: 'cat.png', type: 'input', subfolder: 'a' }), store).body).toEqual(png);
  });
});

describe('uploadMask', () => {
  it('accepts the same form as uploadImage', () => {
    const store = new FileStore();
    expect(json(uploadMask(postUpload([image(makePng(), 'mask.png')], '/upload/mask'), store))).toEqual({ name: 'mask.png', subfolder: '', type: 'input' });
  });
});

describe('upload and view, issue 11', () => {
  it('refuses a file name that reduces to the folder itself with a 400 (ComfyUI answers 500: it opens the folder)', () => {
    for (const [subfolder, filename] of [['', '.'], ['sub', '..'], ['a/b', '..'], ['', 'x/..']]) {
      const response = uploadImage(postUpload([image(makePng(), filename!), { name: 'subfolder', value: subfolder! }]), new FileStore());
      expect(response.status, `${subfolder} + ${filename}`).toBe(400);
      expect(response.headers?.[REASON_HEADER]).toMatch(/names the input folder itself/);
    }
  });

  it('answers an upload the file store has no room for with a 413 naming the limit', () => {
    const response = uploadImage(postUpload([image(new Uint8Array(64))]), new FileStore({ maxTotalBytes: 10 }));
    expect(response.status).toBe(413);
    expect(String(response.body)).toMatch(/limits\.maxFileBytes/);
  });

  it('percent-encodes control and non-ASCII characters that a reason header echoes', () => {
    expect(printableHeaderText('no file "a\u0000b" or "猫.png"')).toBe('no file "a%00b" or "%E7%8C%AB.png"');
    const response = viewFile(getView({ filename: 'x\u0000猫.png' }), new FileStore());
    expect(response.status).toBe(404);
    expect(response.headers?.[REASON_HEADER]).toMatch(/^[\x20-\x7e]*$/);
  });
});
