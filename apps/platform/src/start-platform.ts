import { defaultAudiences, defaultServiceOfRole, mintToken, type Role, type ServiceName } from '@cabc/auth';
import { generateSigningKey, type SigningKey } from '@cabc/crypto';
import { databaseUrlFor, type RunningService, startTracing } from '@cabc/service-kit';
import { loadAssessmentConfig } from '@cabc/assessment/config';
import { startAssessment } from '@cabc/assessment/service';
import { loadCertificationConfig } from '@cabc/certification-body/config';
import type { DecisionPolicy } from '@cabc/certification-body/domain';
import { startCertificationBody } from '@cabc/certification-body/service';
import { loadCollectorConfig } from '@cabc/evidence-collector/config';
import { startCollector } from '@cabc/evidence-collector/service';
import { freePort, type LocalCertificates } from '@cabc/local-servers';

export type ServiceKey = 'collector' | 'assessment' | 'certificationBody';

export interface PlatformOptions {
  /** Postgres server URL; each service gets database `<prefix>_<service>` on it unless given its own URL. */
  databaseUrl: string;
  databaseUrls?: Partial<Record<ServiceKey, string>>;
  databasePrefix?: string;
  redisUrl: string;
  redisUrls?: Partial<Record<ServiceKey, string>>;
  queuePrefix: string;
  keyEncryptionSecret: string;
  host?: string;
  /** 0 (the default) picks a free port. */
  ports?: Partial<Record<ServiceKey, number>>;
  logLevel?: string;
  reconcileInterval?: string;
  /** Cap of the delivery retry backoff (e.g. '1s' in tests). */
  retryMaxDelay?: string;
  /** Extra environment per service, e.g. REQUIREMENTS for the assessment service. */
  env?: Partial<Record<ServiceKey, Record<string, string>>>;
  certificationPolicy?: DecisionPolicy;
  migrate?: boolean;
  /** The local bearer-token issuer every service trusts (generated when not given). */
  tokenIssuer?: SigningKey;
  /** Clock for the assessment service and certification body (tests of time-driven behaviour). */
  now?: () => Date;
  /**
   * Mutual TLS between the services (makeLocalCertificates): each serves HTTPS with its own certificate, requires a
   * client certificate of the local CA on its machine-to-machine routes, and its clients verify servers against
   * that CA. Running in one process, the services' clients share one identity (the `platform` certificate).
   */
  tls?: LocalCertificates;
}

type Running = RunningService & { reconcileNow?: () => Promise<number>; runDeadlines?: () => Promise<number> };

export interface Platform {
  urls: Record<ServiceKey, string>;
  /**
   * A bearer token from the platform's local issuer, for one service (its audience): by default the service the role
   * mostly works at (pipeline → collector, auditee and auditor → assessment, certification_body → certification body).
   */
  token: (role: Role, org: string, options?: { subject?: string; service?: ServiceName }) => Promise<string>;
  databaseUrls: Record<ServiceKey, string>;
  service: (key: ServiceKey) => Running;
  /** Stops one service (as if its process ended) and starts it again later with the same configuration. */
  stop: (key: ServiceKey) => Promise<void>;
  /**
   * Starts a stopped service; `env` is added to its configuration from then on, e.g. the collector's MLflow pull
   * settings, which name a ToE that exists only once the platform runs.
   */
  start: (key: ServiceKey, env?: Record<string, string>) => Promise<void>;
  /**
   * Another instance of a service on the same databases, Redis and queues, as a second process would be, on a port
   * of its own; it calls the services named in `targets` (by default the first instances). Closed with the platform.
   */
  replica: (key: ServiceKey, targets?: Partial<ReplicaTargets>) => Promise<{ url: string; close: () => Promise<void> }>;
  close: () => Promise<void>;
}

/** The base URLs a service instance calls: the collector delivers to the assessment, which calls back the CB. */
export interface ReplicaTargets {
  assessment: string;
  certificationBody: string;
}

const databaseNames: Record<ServiceKey, string> = {
  collector: 'evidence_collector',
  assessment: 'assessment',
  certificationBody: 'certification_body',
};

/** Starts certification body, assessment and collector, wired to each other, in this process. */
export async function startPlatform(options: PlatformOptions): Promise<Platform> {
  // One SDK for the process: each span says its service in `cabc.service` (docs/operations.md, Traces).
  await startTracing({ serviceName: 'cabc-platform' });
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
  const certificateNames = {
    collector: 'collector',
    assessment: 'assessment',
    certificationBody: 'certification-body',
  } as const;
  const tlsEnv = (key: ServiceKey): Record<string, string> => {
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
  const auth = {
    AUTH_ISSUER: 'cabc-local',
    AUTH_JWKS: JSON.stringify({ keys: [issuer.publicJwk] }),
  };
  const addedEnv: Partial<Record<ServiceKey, Record<string, string>>> = {};
  const common = (key: ServiceKey, port: number) => ({
    ...auth,
    HOST: host,
    PORT: String(port),
    DATABASE_URL: databaseUrls[key],
    REDIS_URL: options.redisUrls?.[key] ?? options.redisUrl,
    QUEUE_PREFIX: options.queuePrefix,
    LOG_LEVEL: options.logLevel ?? 'info',
    KEY_ENCRYPTION_SECRET: options.keyEncryptionSecret,
    RECONCILE_INTERVAL: options.reconcileInterval ?? '5s',
    ...(options.retryMaxDelay ? { DELIVERY_RETRY_MAX_DELAY: options.retryMaxDelay } : {}),
    MIGRATE_ON_START: options.migrate === false ? 'false' : 'true',
    ...tlsEnv(key),
    ...options.env?.[key],
    ...addedEnv[key],
  });

  const starters: Record<ServiceKey, (port: number, targets: ReplicaTargets) => Promise<Running>> = {
    certificationBody: (port, targets) =>
      startCertificationBody(
        loadCertificationConfig({
          // Local and test receivers listen on this machine: allowed here, refused by default in a deployment.
          WEBHOOK_ALLOW_LOOPBACK: 'true',
          WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
          ...common('certificationBody', port),
          AUDITOR_JWKS_URL: `${targets.assessment}/.well-known/jwks.json`,
        }),
        {
          ...(options.certificationPolicy ? { policy: options.certificationPolicy } : {}),
          ...(options.now ? { now: options.now } : {}),
        },
      ),
    assessment: (port, targets) =>
      startAssessment(
        loadAssessmentConfig({
          ...common('assessment', port),
          CERTIFICATION_BODY_URL: targets.certificationBody,
        }),
        options.now ? { now: options.now } : {},
      ),
    collector: (port, targets) =>
      startCollector(loadCollectorConfig({ ...common('collector', port), ASSESSMENT_URL: targets.assessment })),
  };

  const running = new Map<ServiceKey, Running>();
  const start = async (key: ServiceKey, env?: Record<string, string>) => {
    if (env && running.has(key)) throw new Error(`${key} is running: stop it before starting it with more env`);
    if (env) addedEnv[key] = { ...addedEnv[key], ...env };
    if (!running.has(key)) running.set(key, await starters[key](ports[key], urls));
  };
  const stop = async (key: ServiceKey) => {
    const service = running.get(key);
    running.delete(key);
    await service?.close();
  };
  const replicas: Running[] = [];
  const replica = async (key: ServiceKey, targets: Partial<ReplicaTargets> = {}) => {
    const port = await freePort(host);
    const service = await starters[key](port, { ...urls, ...targets });
    replicas.push(service);
    return {
      url: `http://${host}:${port}`,
      close: async () => {
        replicas.splice(replicas.indexOf(service), 1);
        await service.close();
      },
    };
  };
  try {
    for (const key of ['certificationBody', 'assessment', 'collector'] as const) await start(key);
  } catch (error) {
    for (const key of [...running.keys()]) await stop(key);
    throw error;
  }
  return {
    urls,
    token: (role, org, { subject = `${role}@${org}`, service = defaultServiceOfRole[role] } = {}) =>
      mintToken({
        issuer: auth.AUTH_ISSUER,
        audience: defaultAudiences[service],
        subject,
        org,
        role,
        ttlSeconds: 3600,
        key: issuer,
      }),
    databaseUrls,
    service: (key) => {
      const service = running.get(key);
      if (!service) throw new Error(`${key} is not running`);
      return service;
    },
    stop,
    start,
    replica,
    close: async () => {
      for (const service of replicas.splice(0).reverse()) await service.close();
      for (const key of ['collector', 'assessment', 'certificationBody'] as const) await stop(key);
    },
  };
}
