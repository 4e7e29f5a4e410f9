import { z } from 'zod';
import { envBoolean, envDuration, envPort } from './env-types.ts';

const postgresUrl = z.url({ protocol: /^postgres(ql)?$/, error: 'expected a postgres:// URL' });
const redisUrl = z.url({ protocol: /^rediss?$/, error: 'expected a redis:// URL' });

/** Variables every CABC service reads; each service extends this with its own. */
export function serviceEnvSchema(defaultPort: number) {
  return z.object({
    HOST: z.string().min(1).default('127.0.0.1'),
    PORT: envPort(defaultPort),
    /** The service's own database (each party keeps its own). */
    DATABASE_URL: postgresUrl,
    REDIS_URL: redisUrl,
    /** BullMQ key prefix, so several deployments (or test files) can share one Redis. */
    QUEUE_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/)
      .default('cabc'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Encrypts the service's signing keys at rest. No default: a deployment must choose its own. */
    KEY_ENCRYPTION_SECRET: z.string().min(16, 'must be at least 16 characters'),
    /** Scheduled signing key rotation: a next key is announced once the active one is this old (0 = off; docs/keys.md). */
    SIGNING_KEY_ROTATION_INTERVAL: envDuration('0'),
    /** How long an announced next key is published before it signs (receivers fetch it meanwhile). */
    SIGNING_KEY_ROTATION_OVERLAP: envDuration('1d'),
    MIGRATE_ON_START: envBoolean(true),
    /**
     * What this process runs: `all` (HTTP and workers), `http` (the API only) or `workers` (the background work only,
     * no port), so a service can be one process or several (docs/operations.md, "Processes").
     */
    PROCESS_ROLE: z.enum(['all', 'http', 'workers']).default('all'),
    BODY_LIMIT_BYTES: z.coerce
      .number()
      .int()
      .positive()
      .default(10 * 1024 * 1024),
    /** How often unacknowledged outbox rows are re-enqueued (Redis may have lost their jobs). */
    RECONCILE_INTERVAL: envDuration('5s'),
    /** Retries of a failed delivery wait exponentially longer, from the base up to this cap (with jitter). */
    DELIVERY_RETRY_BASE_DELAY: envDuration('250ms'),
    DELIVERY_RETRY_MAX_DELAY: envDuration('60s'),
    /** Bearer token Prometheus must send to scrape /metrics; unset, /metrics is open (keep it off the public ingress). */
    METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    /**
     * After this many failed attempts an outbox message becomes a dead letter (visible, re-deliverable by an
     * operator) and its ordering key's later messages go on. 30 with the default delays is about 20 minutes.
     */
    DELIVERY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(1_000).default(30),
    /** A request's enqueue after its commit is given up after this; the reconciler enqueues from Postgres. */
    ENQUEUE_TIMEOUT: envDuration('500ms'),
    /** A job of a crashed process is taken over once its lock (renewed every half of this) has expired. */
    WORKER_LOCK_DURATION: envDuration('5s'),
    /** How often workers look for jobs whose lock expired (a crashed process's). */
    WORKER_STALLED_INTERVAL: envDuration('1s'),
    /** HTTPS: the service's certificate and key (PEM files); with them it serves HTTPS only (docs/operations.md#tls). */
    TLS_CERT_FILE: z.string().min(1).optional(),
    TLS_KEY_FILE: z.string().min(1).optional(),
    /** The CA whose client certificates the machine-to-machine routes require; unset, they require none. */
    TLS_CLIENT_CA_FILE: z.string().min(1).optional(),
    /** The CA the service's HTTP clients verify servers against; unset, the system's. */
    TLS_CA_FILE: z.string().min(1).optional(),
    /** The client certificate its HTTP clients present; TLS_CERT_FILE / TLS_KEY_FILE by default. */
    TLS_CLIENT_CERT_FILE: z.string().min(1).optional(),
    TLS_CLIENT_KEY_FILE: z.string().min(1).optional(),
  });
}

export type ServiceEnv = z.output<ReturnType<typeof serviceEnvSchema>>;
