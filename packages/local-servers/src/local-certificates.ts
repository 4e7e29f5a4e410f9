import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The parties that get a certificate; each serves HTTPS with it and presents it as a client (both usages). */
export const CERTIFICATE_NAMES = ['collector', 'assessment', 'certification-body', 'platform'] as const;
export type CertificateName = (typeof CERTIFICATE_NAMES)[number];

export interface LocalCertificates {
  dir: string;
  /** The local CA's certificate: what every service and client trusts (TLS_CA_FILE, TLS_CLIENT_CA_FILE). */
  caFile: string;
  files: Record<CertificateName, { certFile: string; keyFile: string }>;
}

const filesOf = (dir: string, name: string) => ({
  certFile: path.join(dir, `${name}.crt`),
  keyFile: path.join(dir, `${name}.key`),
});

/**
 * A local CA and, signed by it, an ECDSA P-256 certificate per service for localhost and 127.0.0.1, valid for
 * both serverAuth and clientAuth, in `dir` (made with the openssl binary; node:crypto reads X.509 but does not
 * issue it). Files that exist are kept, so a second run changes nothing; `fresh` starts over.
 */
export async function makeLocalCertificates(dir: string, options: { days?: number } = {}): Promise<LocalCertificates> {
  const days = String(options.days ?? 825);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const caFile = path.join(dir, 'ca.crt');
  const caKey = path.join(dir, 'ca.key');
  if (!existsSync(caFile) || !existsSync(caKey)) {
    await run('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', caKey]);
    await run('openssl', [
      'req',
      '-x509',
      '-new',
      '-key',
      caKey,
      '-sha256',
      '-days',
      days,
      '-subj',
      '/CN=CABC local CA',
      '-out',
      caFile,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
  }
  const files = {} as Record<CertificateName, { certFile: string; keyFile: string }>;
  for (const name of CERTIFICATE_NAMES) {
    const { certFile, keyFile } = filesOf(dir, name);
    files[name] = { certFile, keyFile };
    if (existsSync(certFile) && existsSync(keyFile)) continue;
    const request = path.join(dir, `${name}.csr`);
    const extensions = path.join(dir, `${name}.ext`);
    await run('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', keyFile]);
    await run('openssl', ['req', '-new', '-key', keyFile, '-subj', `/CN=cabc-${name}`, '-out', request]);
    await writeFile(
      extensions,
      [
        'basicConstraints=CA:FALSE',
        'keyUsage=critical,digitalSignature',
        'extendedKeyUsage=serverAuth,clientAuth',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '',
      ].join('\n'),
    );
    await run('openssl', [
      'x509',
      '-req',
      '-in',
      request,
      '-CA',
      caFile,
      '-CAkey',
      caKey,
      '-CAcreateserial',
      '-sha256',
      '-days',
      days,
      '-extfile',
      extensions,
      '-out',
      certFile,
    ]);
  }
  return { dir, caFile, files };
}
