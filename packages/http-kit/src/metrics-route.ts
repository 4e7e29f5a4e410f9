import { timingSafeEqual } from 'node:crypto';
import { Counter, Histogram, type Registry } from 'prom-client';
import { z } from 'zod';
import { problemResponses } from './problem-schema.ts';
import { UnauthorizedProblem } from './problems.ts';
import { publicRoute } from './route-access.ts';
import type { Server } from './create-server.ts';

export interface MetricsRouteOptions {
  /** When set, a scrape must send `Authorization: Bearer <token>`; unset, /metrics is open (docs/operations.md). */
  token?: string | undefined;
}

const sameSecret = (given: string, expected: string) => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

/**
 * Prometheus metrics of a service: request rate and latency per route template (never the raw URL: ids would make a
 * series per ToE) and status code, and `GET /metrics` in the text exposition format. Register it right after
 * createServer, before the routes, so that its hook sees every route.
 */
export function registerMetrics(app: Server, registry: Registry, options: MetricsRouteOptions = {}): void {
  const labelNames = ['method', 'route', 'status_code'] as const;
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by route template and status code',
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by route template and status code',
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status_code: String(reply.statusCode),
    };
    requests.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1000);
  });

  app.get(
    '/metrics',
    {
      // Not behind the user tokens: a scraper is no user; the handler checks METRICS_TOKEN when one is set.
      config: publicRoute,
      schema: {
        tags: ['operations'],
        summary: 'Prometheus metrics in the text exposition format (docs/operations.md#metrics)',
        description: 'When the service has a METRICS_TOKEN, the scrape sends it as bearer token (401 otherwise).',
        produces: ['text/plain; version=0.0.4'],
        response: { 200: z.string(), ...problemResponses(401) },
      },
    },
    async (request, reply) => {
      if (options.token) {
        const bearer = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1] ?? '';
        if (!sameSecret(bearer, options.token)) {
          throw new UnauthorizedProblem('scraping /metrics needs the metrics token (METRICS_TOKEN) as bearer token');
        }
      }
      const text = await registry.metrics();
      return reply
        .type(registry.contentType)
        .serializer((body: unknown) => String(body))
        .send(text);
    },
  );
}
