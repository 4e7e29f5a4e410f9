import { createRequire } from 'node:module';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';

/**
 * The attribute naming which CABC service made a span, on the spans CABC starts (requests, jobs, deliveries, decisions;
 * pg and ioredis spans are their children): all three services may share one process and so one resource.
 */
export const serviceAttribute = 'cabc.service';

let running: { shutdown: () => Promise<void> } | undefined;

/**
 * Tracing is off unless an exporter is configured by the standard variables: OTEL_TRACES_EXPORTER (other than
 * `none`) or an OTLP endpoint. OTEL_SDK_DISABLED=true wins over both.
 */
export function tracingRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  const exporter = env.OTEL_TRACES_EXPORTER?.trim();
  if (exporter) return exporter !== 'none';
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

export function isTracing(): boolean {
  return running !== undefined;
}

/**
 * Starts the OpenTelemetry Node SDK once per process (later calls do nothing): W3C trace context, the pg and ioredis
 * instrumentations (only under a span of ours, so BullMQ's polling makes no traces), and the exporter the OTEL_*
 * variables name. `spanProcessors` replaces the configured exporter (tests: an in-memory exporter) and starts tracing
 * even when the variables ask for none. The SDK is loaded only when tracing starts: off, it costs nothing.
 */
export async function startTracing(options: {
  serviceName: string;
  spanProcessors?: SpanProcessor[];
}): Promise<boolean> {
  if (running) return true;
  if (!options.spanProcessors && !tracingRequested()) return false;
  const [{ NodeSDK }, { PgInstrumentation }, { IORedisInstrumentation }] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/instrumentation-pg'),
    import('@opentelemetry/instrumentation-ioredis'),
  ]);
  const sdk = new NodeSDK({
    serviceName: process.env.OTEL_SERVICE_NAME || options.serviceName,
    // Absent, the SDK builds the exporters OTEL_TRACES_EXPORTER names (otlp by default, OTEL_EXPORTER_OTLP_*).
    ...(options.spanProcessors ? { spanProcessors: options.spanProcessors } : {}),
    instrumentations: [
      new PgInstrumentation({ requireParentSpan: true }),
      new IORedisInstrumentation({ requireParentSpan: true }),
    ],
  });
  sdk.start();
  // The services import pg and ioredis (CommonJS) from ES modules, before tracing starts: the instrumentations hook
  // `require`, and patch a module in place when it is required once more after they are enabled.
  const require = createRequire(import.meta.url);
  require('pg');
  require('ioredis');
  running = sdk;
  return true;
}

/** Flushes and stops the SDK (tests; a process exiting). */
export async function stopTracing(): Promise<void> {
  const sdk = running;
  running = undefined;
  await sdk?.shutdown();
}
