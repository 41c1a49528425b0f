import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * TLS material for the simulator's network transport: a key and a certificate chain, as ComfyUI
 * takes them (`--tls-keyfile`, `--tls-certfile`), read from files or made here for loopback tests.
 */
export interface TlsFiles {
  /** PEM private key of the server. */
  keyFile: string;
  /** PEM certificate of the server (a chain may follow it). */
  certFile: string;
  /** PEM certificate clients must trust: the test CA for a made certificate, else `certFile`. */
  caFile: string;
}

export interface TlsKeyPair {
  key: Buffer;
  cert: Buffer;
}

/** A made certificate in its own temporary folder; `dispose()` removes the folder. */
export interface MadeCertificate extends TlsFiles {
  dir: string;
  dispose(): void;
}

export class TlsSetupError extends Error {
  constructor(
    readonly code: 'CC_ERR_NO_OPENSSL' | 'CC_ERR_TLS_FILES',
    message: string,
  ) {
    super(message);
  }
}

/** The longest one openssl step may take, in ms (a loaded 2-core machine runs eight of us). */
const OPENSSL_TIMEOUT_MS = 30_000;

function openssl(args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('openssl', args, { cwd, timeout: OPENSSL_TIMEOUT_MS }, (error, _stdout, stderr) => {
      if (!error) return resolve();
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      reject(
        new TlsSetupError(
          'CC_ERR_NO_OPENSSL',
          missing
            ? 'a TLS run needs a certificate and the openssl command is not on PATH: install OpenSSL (e.g. apt-get install openssl), or give your own with --tls-keyfile and --tls-certfile'
            : `openssl ${args[0]} failed: ${String(stderr).trim() || error.message}`,
        ),
      );
    });
  });
}

/**
 * Makes a test CA and a server certificate it signed, for `127.0.0.1`, `::1` and `localhost`,
 * valid for 30 days (a `serve` may run long), with the openssl command (ECDSA P-256 keys: fast
 * to make). A chain of two with the extensions strict verifiers check (key usage, key identifiers,
 * a critical CA flag), not one self-signed leaf that is also its own CA (`openssl verify
 * -x509_strict` accepts it). The keys come from openssl's randomness, not from a run's seed:
 * nothing a verdict depends on is in them.
 */
export async function makeLoopbackCertificate(parent = tmpdir()): Promise<MadeCertificate> {
  const dir = mkdtempSync(join(parent, 'comfy-chaos-tls-'));
  const dispose = () => rmSync(dir, { recursive: true, force: true });
  try {
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    await openssl(
      ['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '30', '-subj', '/CN=comfy-chaos test CA',
        '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-addext', 'subjectKeyIdentifier=hash'],
      dir,
    );
    await openssl(['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1'], dir);
    writeFileSync(
      join(dir, 'server.ext'),
      [
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,digitalSignature',
        'extendedKeyUsage=serverAuth',
        'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost',
        'subjectKeyIdentifier=hash',
        'authorityKeyIdentifier=keyid,issuer',
      ].join('\n') + '\n',
    );
    await openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '30', '-out', 'server.pem', '-extfile', 'server.ext'], dir);
  } catch (error) {
    dispose();
    throw error;
  }
  return { dir, keyFile: join(dir, 'server.key'), certFile: join(dir, 'server.pem'), caFile: join(dir, 'ca.pem'), dispose };
}

/** Reads a key and a certificate; a file that is missing or not PEM is a {@link TlsSetupError} naming it. */
export function readTlsFiles(files: Pick<TlsFiles, 'keyFile' | 'certFile'>): TlsKeyPair {
  const read = (path: string, what: string, marker: RegExp): Buffer => {
    let data: Buffer;
    try {
      data = readFileSync(path);
    } catch (error) {
      throw new TlsSetupError('CC_ERR_TLS_FILES', `cannot read the TLS ${what} file ${path}: ${(error as Error).message}`);
    }
    if (!marker.test(data.toString('latin1'))) throw new TlsSetupError('CC_ERR_TLS_FILES', `the TLS ${what} file ${path} is not PEM (no "-----BEGIN ${what === 'key' ? '... PRIVATE KEY' : 'CERTIFICATE'}-----" line)`);
    return data;
  };
  return { key: read(files.keyFile, 'key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/), cert: read(files.certFile, 'certificate', /-----BEGIN CERTIFICATE-----/) };
}

let shared: Promise<MadeCertificate> | undefined;

/**
 * One {@link makeLoopbackCertificate} for the whole process, made on first use (about 0.4 s on a
 * loaded machine, so not once per run) and removed when the process exits.
 */
export function sharedLoopbackCertificate(): Promise<MadeCertificate> {
  if (!shared) {
    const made = makeLoopbackCertificate();
    shared = made;
    made.then(
      (cert) => process.once('exit', () => cert.dispose()),
      () => {
        if (shared === made) shared = undefined; // a failure is not cached: the next run says it again
      },
    );
  }
  return shared;
}

/**
 * Removes the process's {@link sharedLoopbackCertificate} now (the next use makes a new one). For
 * test files: a test worker may be ended without the process's `exit` event, which would leave it.
 */
export async function disposeSharedLoopbackCertificate(): Promise<void> {
  const current = shared;
  shared = undefined;
  (await current?.catch(() => undefined))?.dispose();
}
