import type { Role, ServiceName } from '@cabc/auth';
import type { SigningKey } from '@cabc/crypto';
import { startTracing, type RunningService } from '@cabc/service-kit';
import { loadAssessmentConfig } from '@cabc/assessment/config';
import { startAssessment } from '@cabc/assessment/service';
import { loadCertificationConfig } from '@cabc/certification-body/config';
import type { DecisionPolicy } from '@cabc/certification-body/domain';
import { startCertificationBody } from '@cabc/certification-body/service';
import { loadCollectorConfig } from '@cabc/evidence-collector/config';
import { startCollector } from '@cabc/evidence-collector/service';
import { freePort, type LocalCertificates } from '@cabc/local-servers';
import { layoutToken, platformLayout, serviceEnvironment } from './service-environment.ts';

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

/** Starts certification body, assessment and collector, wired to each other, in this process. */
export async function startPlatform(options: PlatformOptions): Promise<Platform> {
  // One SDK for the process: each span says its service in `cabc.service` (docs/operations.md, Traces).
  await startTracing({ serviceName: 'cabc-platform' });
  const layout = await platformLayout(options);
  const { host, ports, urls, databaseUrls } = layout;
  const addedEnv: Partial<Record<ServiceKey, Record<string, string>>> = {};
  const env = (key: ServiceKey, port: number, targets: ReplicaTargets) =>
    serviceEnvironment(layout, options, key, { port, targets, added: addedEnv[key] });

  const starters: Record<ServiceKey, (port: number, targets: ReplicaTargets) => Promise<Running>> = {
    certificationBody: (port, targets) =>
      startCertificationBody(loadCertificationConfig(env('certificationBody', port, targets)), {
        ...(options.certificationPolicy ? { policy: options.certificationPolicy } : {}),
        ...(options.now ? { now: options.now } : {}),
      }),
    assessment: (port, targets) =>
      startAssessment(loadAssessmentConfig(env('assessment', port, targets)), options.now ? { now: options.now } : {}),
    collector: (port, targets) => startCollector(loadCollectorConfig(env('collector', port, targets))),
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
    token: layoutToken(layout),
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
