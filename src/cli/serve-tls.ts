import { createSecureContext } from 'node:tls';
import type { ComfyuiProfile } from '../protocol/index.ts';
import { readTlsFiles, sharedLoopbackCertificate, TlsSetupError, type TlsFiles } from '../simulator/index.ts';
import { UsageError } from '../harness/usage-error.ts';

export interface ServeTlsOptions {
  tls?: boolean;
  tlsKeyfile?: string;
  tlsCertfile?: string;
}

/** What `serve` serves TLS with, and whether comfy-chaos made the certificate (then it says where its CA is). */
export interface ServeTls extends TlsFiles {
  made: boolean;
}

/**
 * The TLS files of `serve`: `--tls-keyfile` with `--tls-certfile` (as ComfyUI takes them), else a
 * made loopback certificate for `--tls` or a TLS profile (`gateway-tls`), else none (plain HTTP).
 * ComfyUI serves plain HTTP when only one of the two files is given; we refuse that instead, since
 * a client would then be pointed at https:// and fail. Files that are missing, not PEM, or a key
 * that does not match the certificate are a UsageError naming the file.
 */
export async function resolveServeTls(opts: ServeTlsOptions, profile: Pick<ComfyuiProfile, 'front'>): Promise<ServeTls | undefined> {
  if (Boolean(opts.tlsKeyfile) !== Boolean(opts.tlsCertfile)) {
    throw new UsageError(`--tls-keyfile and --tls-certfile go together (got only ${opts.tlsKeyfile ? '--tls-keyfile' : '--tls-certfile'}); give both, or --tls for a made loopback certificate`);
  }
  if (opts.tlsKeyfile && opts.tlsCertfile) {
    const files = { keyFile: opts.tlsKeyfile, certFile: opts.tlsCertfile, caFile: opts.tlsCertfile };
    try {
      const pair = readTlsFiles(files);
      createSecureContext({ key: pair.key, cert: pair.cert });
    } catch (error) {
      if (error instanceof TlsSetupError) throw new UsageError(error.message);
      throw new UsageError(`--tls-keyfile ${opts.tlsKeyfile} and --tls-certfile ${opts.tlsCertfile} cannot serve TLS: ${(error as Error).message} (is the key the certificate's?)`);
    }
    return { ...files, made: false };
  }
  if (!opts.tls && !profile.front.tls) return undefined;
  try {
    return { ...(await sharedLoopbackCertificate()), made: true };
  } catch (error) {
    if (error instanceof TlsSetupError) throw new UsageError(error.message);
    throw error;
  }
}

/** The lines `serve` prints about its TLS: where the files are and how a client trusts them. */
export function describeServeTls(tls: ServeTls): string {
  if (!tls.made) return `tls: cert ${tls.certFile}, key ${tls.keyFile}: clients must trust the CA that signed it (for a self-signed certificate, the file itself)\n`;
  return (
    `tls: a loopback test certificate made for this server (removed when it stops), signed by a test CA: cert ${tls.certFile}, key ${tls.keyFile}\n` +
    `tls: clients must trust ${tls.caFile}, e.g. NODE_EXTRA_CA_CERTS=${tls.caFile} (Node), SSL_CERT_FILE=${tls.caFile} (Python, Go), curl --cacert ${tls.caFile}\n`
  );
}
