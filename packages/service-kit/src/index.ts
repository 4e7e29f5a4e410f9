// What every CABC service process is made of: configuration, logging, database, queues and the process runtime.

// Configuration: zod env parsing into a frozen config.
export { parseConfig, ConfigError } from './config/parse-config.ts';
export { envBoolean, envPort, envDuration } from './config/env-types.ts';
export { serviceEnvSchema, type ServiceEnv } from './config/service-env.ts';
export { envJson, envJwks } from './config/json-env.ts';

// Logging: pino with secret redaction; request ids that follow a request across services.
export { createLogger, loggerOptions, redactedPaths, requestIdFrom, type Logger } from './logging/logger.ts';

// Database: Kysely over a pg pool, migrations, provisioning.
export { createDatabase, type Database } from './database/create-database.ts';
export { migrateToLatest, migrationsFolder, type ServiceName } from './database/migrate.ts';
export { ensureDatabaseExists, databaseUrlFor, isPostgresReachable } from './database/provision.ts';
export { isInfrastructureUnavailable, isUniqueViolation } from './database/errors.ts';

// Queues: the registry of queue names and payloads, typed producers and workers, Redis connections.
export { queueRegistry, type QueueName, type QueuePayload } from './queues/queue-registry.ts';
export {
  createProducerRedis,
  createRedis,
  deleteRedisKeys,
  isRedisReachable,
  isRedisReady,
  type Redis,
} from './queues/redis.ts';
export {
  TypedQueue,
  EnqueueTimeoutError,
  jobPayload,
  startWorker,
  cappedBackoffDelay,
  type CappedBackoff,
  type QueueContext,
  type WorkerRecovery,
  type TypedWorker,
} from './queues/typed-queue.ts';

// Runtime: what a service process opens before it builds its app, and listening.
export { openInfrastructure, type Infrastructure } from './runtime/open-infrastructure.ts';
export { listen, runsWorkers, serve, type RunningService } from './runtime/running-service.ts';
export { reportToSupervisor } from './runtime/supervised.ts';
export {
  infrastructureReadiness,
  postgresPlugin,
  redisPlugin,
  registerInfrastructure,
} from './runtime/infrastructure-plugins.ts';
export { startPeriodic, type PeriodicTask } from './runtime/periodic.ts';

// Metrics: the Prometheus registry of a service and its queue collectors (the /metrics route is in @cabc/http-kit).
export { createMetricsRegistry, withinScrapeTime, type MetricsRegistry } from './metrics/metrics-registry.ts';
export { registerQueueMetrics, type QueueMetrics } from './metrics/queue-metrics.ts';
export { connectionState, type ConnectionState } from './runtime/connection-state.ts';

// Traces: OpenTelemetry, off unless OTEL_* configures an exporter; W3C trace context across outbox rows and jobs.
export { startTracing, stopTracing, isTracing, tracingRequested, serviceAttribute } from './tracing/tracing-sdk.ts';
export {
  inSpan,
  traceHeaders,
  activeTraceparent,
  SpanKind,
  type TracedService,
  type SpanOptions,
} from './tracing/spans.ts';
export { registerTracing } from './tracing/fastify-tracing.ts';
