import type { FastifyInstance } from 'fastify';
import { isTracing, serviceAttribute } from './tracing-sdk.ts';
import type { TracedService } from './spans.ts';

/**
 * One SERVER span per request (`@fastify/otel`), continuing the caller's `traceparent`, named `METHOD /route`.
 * Registered before the routes (it learns them as they are added); nothing is registered when tracing is off.
 */
export async function registerTracing(app: FastifyInstance, service: TracedService): Promise<void> {
  if (!isTracing()) return;
  const { FastifyOtelInstrumentation } = await import('@fastify/otel');
  const instrumentation = new FastifyOtelInstrumentation({
    instrumentHooks: false,
    instrumentHandler: false,
    ignorePaths: ({ url }) => url === '/metrics' || url.startsWith('/healthz') || url.startsWith('/readyz'),
    requestHook: (span, request) => {
      span.setAttribute(serviceAttribute, service);
      span.updateName(`${request.method} ${request.routeOptions.url ?? request.url}`);
    },
  });
  await app.register(instrumentation.plugin());
}
