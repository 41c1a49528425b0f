/**
 * A `fetch` for Node that trusts extra certificate authorities, for servers behind TLS with a
 * private CA (a test CA, a company's proxy). Node 20's global `fetch` takes its roots from the
 * process (`NODE_EXTRA_CA_CERTS` at start) and offers no per-call CA without the undici package,
 * so this one is built on `node:https`. Only what the client uses: method, headers, a string,
 * bytes or FormData body, an abort signal; the reply is read whole.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';
import type { FetchLike, RequestInitLike, ResponseLike } from '../protocol/index.ts';

export interface TrustingFetchOptions {
  /** PEM certificates to trust besides Node's bundled roots. */
  ca: string | Buffer | Array<string | Buffer>;
}

/** Node's roots plus `ca`: the value for a TLS `ca` option that adds to the roots rather than replacing them. */
export function withRootCertificates(ca: TrustingFetchOptions['ca']): Array<string | Buffer> {
  return [...rootCertificates, ...(Array.isArray(ca) ? ca : [ca])];
}

class BufferedResponse implements ResponseLike {
  readonly ok: boolean;
  readonly headers: { get(name: string): string | null };

  constructor(
    readonly status: number,
    headers: IncomingMessage['headers'],
    private readonly body: Buffer,
  ) {
    this.ok = status >= 200 && status < 300;
    this.headers = {
      get: (name) => {
        const value = headers[name.toLowerCase()];
        return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
      },
    };
  }

  async text(): Promise<string> {
    return this.body.toString('utf8');
  }

  async json(): Promise<unknown> {
    return JSON.parse(this.body.toString('utf8'));
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    return this.body.buffer.slice(this.body.byteOffset, this.body.byteOffset + this.body.byteLength) as ArrayBuffer;
  }
}

async function encodeBody(body: RequestInitLike['body']): Promise<{ bytes?: Buffer; contentType?: string }> {
  if (body === undefined) return {};
  if (typeof body === 'string') return { bytes: Buffer.from(body, 'utf8'), contentType: 'text/plain;charset=UTF-8' };
  if (body instanceof Uint8Array) return { bytes: Buffer.from(body.buffer, body.byteOffset, body.byteLength) };
  // FormData: the platform writes the multipart body and its boundary.
  const encoded = new Response(body);
  return { bytes: Buffer.from(await encoded.arrayBuffer()), contentType: encoded.headers.get('content-type') ?? undefined };
}

function abortError(): Error {
  const error = new Error('The operation was aborted');
  error.name = 'AbortError';
  return error;
}

/** A {@link FetchLike} that verifies `https://` servers against Node's roots plus `options.ca`. */
export function createTrustingFetch(options: TrustingFetchOptions): FetchLike {
  const ca = withRootCertificates(options.ca);
  return async (url, init = {}) => {
    const target = new URL(url);
    const { bytes, contentType } = await encodeBody(init.body);
    const headers: Record<string, string> = { ...init.headers };
    if (contentType && !Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) headers['content-type'] = contentType;
    if (bytes) headers['content-length'] = String(bytes.length);
    if (init.signal?.aborted) throw abortError();
    return new Promise<ResponseLike>((resolve, reject) => {
      const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(target, { method: init.method ?? 'GET', headers, ...(target.protocol === 'https:' ? { ca } : {}) }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve(new BufferedResponse(res.statusCode ?? 0, res.headers, Buffer.concat(chunks))));
        res.on('error', (error) => reject(new TypeError(`fetch failed: ${error.message}`)));
      });
      // As the global fetch: a network or TLS failure is a TypeError.
      req.on('error', (error) => reject(error.name === 'AbortError' ? error : new TypeError(`fetch failed: ${error.message}`)));
      init.signal?.addEventListener(
        'abort',
        () => {
          req.destroy(abortError());
        },
        { once: true },
      );
      req.end(bytes);
    });
  };
}
