import { readFileSync } from 'node:fs';
import { rootCertificates, type TLSSocket } from 'node:tls';
import type { FastifyRequest } from 'fastify';
import { Agent, setGlobalDispatcher } from 'undici';
import { HttpProblem } from './problems.ts';
import type { Server } from './create-server.ts';

/** The TLS variables every service reads (docs/operations.md#tls). */
export interface TlsSettings {
  /** The service's certificate and key: given, it serves HTTPS only. */
  TLS_CERT_FILE?: string | undefined;
  TLS_KEY_FILE?: string | undefined;
  /** Given, the machine-to-machine routes require a client certificate issued by this CA. */
  TLS_CLIENT_CA_FILE?: string | undefined;
  /** The CA the service's own HTTP clients verify servers against (outbox deliveries, JWKS, callbacks, reports). */
  TLS_CA_FILE?: string | undefined;
  /** The certificate its clients present; the service's own (TLS_CERT_FILE, TLS_KEY_FILE) by default. */
  TLS_CLIENT_CERT_FILE?: string | undefined;
  TLS_CLIENT_KEY_FILE?: string | undefined;
}

export interface HttpsServerOptions {
  cert: Buffer;
  key: Buffer;
  ca?: Buffer;
  requestCert: boolean;
  rejectUnauthorized: false;
}

const read = (file: string, variable: string): Buffer => {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new Error(`${variable}: cannot read ${file} (${error instanceof Error ? error.message : String(error)})`);
  }
};

/**
 * The HTTPS options of the service's server, or undefined for plain HTTP. With a client CA the TLS handshake asks
 * for a certificate but does not refuse a connection without one (`rejectUnauthorized: false`): browsers and users
 * still reach the routes they use with a bearer token, and the machine routes check `socket.authorized` themselves
 * (requireClientCertificates).
 */
export function httpsServerOptions(settings: TlsSettings): HttpsServerOptions | undefined {
  const { TLS_CERT_FILE: certFile, TLS_KEY_FILE: keyFile, TLS_CLIENT_CA_FILE: clientCaFile } = settings;
  if (!certFile !== !keyFile) throw new Error('set both TLS_CERT_FILE and TLS_KEY_FILE, or neither');
  if (!certFile || !keyFile) {
    if (clientCaFile)
      throw new Error('TLS_CLIENT_CA_FILE needs TLS_CERT_FILE and TLS_KEY_FILE (client certificates need TLS)');
    return undefined;
  }
  return {
    cert: read(certFile, 'TLS_CERT_FILE'),
    key: read(keyFile, 'TLS_KEY_FILE'),
    ...(clientCaFile ? { ca: read(clientCaFile, 'TLS_CLIENT_CA_FILE') } : {}),
    requestCert: clientCaFile !== undefined,
    rejectUnauthorized: false,
  };
}

let installed: string | undefined;

/**
 * Makes the process's HTTP clients (fetch) verify servers against TLS_CA_FILE and present the client certificate.
 * It is per process: services started in one process (the run command) must be given the same settings, and
 * different ones are refused rather than silently mixed.
 */
export function installOutboundTls(settings: TlsSettings): void {
  const certFile = settings.TLS_CLIENT_CERT_FILE ?? settings.TLS_CERT_FILE;
  const keyFile = settings.TLS_CLIENT_KEY_FILE ?? settings.TLS_KEY_FILE;
  if (!settings.TLS_CA_FILE && !certFile) return;
  const identity = JSON.stringify([settings.TLS_CA_FILE, certFile, keyFile]);
  if (installed === identity) return;
  if (installed !== undefined) throw new Error('services in one process need the same outbound TLS settings');
  setGlobalDispatcher(
    new Agent({
      connect: {
        // The configured CA beside the system's: webhooks to public receivers still verify.
        ...(settings.TLS_CA_FILE
          ? { ca: [...rootCertificates, read(settings.TLS_CA_FILE, 'TLS_CA_FILE').toString()] }
          : {}),
        ...(certFile && keyFile
          ? { cert: read(certFile, 'TLS_CLIENT_CERT_FILE'), key: read(keyFile, 'TLS_CLIENT_KEY_FILE') }
          : {}),
      },
    }),
  );
  installed = identity;
}

/** Whether the request came with a client certificate that TLS_CLIENT_CA_FILE's CA issued. */
export function hasVerifiedClientCertificate(request: FastifyRequest): boolean {
  const socket = request.raw.socket as Partial<TLSSocket>;
  return socket.authorized === true;
}

/** Refuses, before anything else runs, a request to a machine route without a verified client certificate. */
export function requireClientCertificates(app: Server, isMachineRoute: (request: FastifyRequest) => boolean): void {
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.url === undefined || !isMachineRoute(request)) return;
    if (hasVerifiedClientCertificate(request)) return;
    throw new HttpProblem(
      401,
      'client-certificate-required',
      'Client certificate required',
      'this machine-to-machine route requires a TLS client certificate issued by the configured CA',
      { fields: [{ field: 'tls:client-certificate', message: 'missing or not issued by TLS_CLIENT_CA_FILE' }] },
    );
  });
}
