import { defaultAudiences, defaultServiceOfRole, mintToken, type Role, type ServiceName } from '@cabc/auth';
import { generateSigningKey, type SigningKey } from '@cabc/crypto';
import { freePort } from '@cabc/local-servers';
import { databaseUrlFor } from '@cabc/service-kit';
import type { PlatformOptions, ReplicaTargets, ServiceKey } from './start-platform.ts';

/** Where the platform's services listen and store, and whose bearer tokens they trust: fixed once per platform. */
export interface PlatformLayout {
  host: string;
  ports: Record<ServiceKey, number>;
  urls: Record<ServiceKey, string>;
  databaseUrls: Record<ServiceKey, string>;
  issuer: SigningKey;
  auth: { AUTH_ISSUER: string; AUTH_JWKS: string };
}

const databaseNames: Record<ServiceKey, string> = {
  collector: 'evidence_collector',
  assessment: 'assessment',
  certificationBody: 'certification_body',
};

export async function platformLayout(options: PlatformOptions): Promise<PlatformLayout> {
  const host = options.host ?? '127.0.0.1';
  const port = async (key: ServiceKey) => options.ports?.[key] || (await freePort(host));
  const ports = {
    certificationBody: await port('certificationBody'),
    assessment: await port('assessment'),
    collector: await port('collector'),
  };
  const scheme = options.tls ? 'https' : 'http';
  const urls = {
    collector: `${scheme}://${host}:${ports.collector}`,
    assessment: `${scheme}://${host}:${ports.assessment}`,
    certificationBody: `${scheme}://${host}:${ports.certificationBody}`,
  };
  const databaseUrls = Object.fromEntries(
    (Object.keys(databaseNames) as ServiceKey[]).map((key) => [
      key,
      options.databaseUrls?.[key] ??
        databaseUrlFor(options.databaseUrl, `${options.databasePrefix ?? 'cabc'}_${databaseNames[key]}`),
    ]),
  ) as Record<ServiceKey, string>;
  const issuer = options.tokenIssuer ?? (await generateSigningKey());
  // One local issuer for every party (development); each service keeps its own audience (defaultAudiences).
  const auth = { AUTH_ISSUER: 'cabc-local', AUTH_JWKS: JSON.stringify({ keys: [issuer.publicJwk] }) };
  return { host, ports, urls, databaseUrls, issuer, auth };
}

const certificateNames = {
  collector: 'collector',
  assessment: 'assessment',
  certificationBody: 'certification-body',
} as const;

/** Mutual TLS (options.tls): the service's own certificate, the local CA, and the one client identity `platform`. */
function tlsEnvironment(options: PlatformOptions, key: ServiceKey): Record<string, string> {
  if (!options.tls) return {};
  const own = options.tls.files[certificateNames[key]];
  const client = options.tls.files.platform;
  return {
    TLS_CERT_FILE: own.certFile,
    TLS_KEY_FILE: own.keyFile,
    TLS_CLIENT_CA_FILE: options.tls.caFile,
    TLS_CA_FILE: options.tls.caFile,
    TLS_CLIENT_CERT_FILE: client.certFile,
    TLS_CLIENT_KEY_FILE: client.keyFile,
  };
}

/**
 * Mints bearer tokens from the platform's local issuer, for one service (its audience): by default the service the
 * role mostly works at.
 */
export const layoutToken =
  (layout: PlatformLayout) =>
  (
    role: Role,
    org: string,
    {
      subject = `${role}@${org}`,
      service = defaultServiceOfRole[role],
    }: { subject?: string; service?: ServiceName } = {},
  ): Promise<string> =>
    mintToken({
      issuer: layout.auth.AUTH_ISSUER,
      audience: defaultAudiences[service],
      subject,
      org,
      role,
      ttlSeconds: 3600,
      key: layout.issuer,
    });

/**
 * The environment of one instance of a service, which its config.ts parses: the same for a service started in this
 * process (startPlatform) and for a child process (startPlatformProcesses). `added` is set after the options.
 */
export function serviceEnvironment(
  layout: PlatformLayout,
  options: PlatformOptions,
  key: ServiceKey,
  instance: { port: number; targets: ReplicaTargets; added?: Record<string, string> },
): Record<string, string> {
  const common = {
    ...layout.auth,
    HOST: layout.host,
    PORT: String(instance.port),
    DATABASE_URL: layout.databaseUrls[key],
    REDIS_URL: options.redisUrls?.[key] ?? options.redisUrl,
    QUEUE_PREFIX: options.queuePrefix,
    LOG_LEVEL: options.logLevel ?? 'info',
    KEY_ENCRYPTION_SECRET: options.keyEncryptionSecret,
    RECONCILE_INTERVAL: options.reconcileInterval ?? '5s',
    ...(options.retryMaxDelay ? { DELIVERY_RETRY_MAX_DELAY: options.retryMaxDelay } : {}),
    MIGRATE_ON_START: options.migrate === false ? 'false' : 'true',
    ...tlsEnvironment(options, key),
    ...options.env?.[key],
    ...instance.added,
  };
  switch (key) {
    case 'certificationBody':
      return {
        // Local and test receivers listen on this machine: allowed here, refused by default in a deployment.
        WEBHOOK_ALLOW_LOOPBACK: 'true',
        WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
        ...common,
        AUDITOR_JWKS_URL: `${instance.targets.assessment}/.well-known/jwks.json`,
      };
    case 'assessment':
      return { ...common, CERTIFICATION_BODY_URL: instance.targets.certificationBody };
    case 'collector':
      return { ...common, ASSESSMENT_URL: instance.targets.assessment };
  }
}
