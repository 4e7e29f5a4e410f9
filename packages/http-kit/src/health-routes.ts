import { z } from 'zod';
import type { Server } from './create-server.ts';
import { publicRoute } from './route-access.ts';

export type ReadinessCheck = { name: string; check: () => Promise<boolean> };

const readinessSchema = z.object({
  status: z.enum(['ready', 'not_ready']),
  checks: z.record(z.string(), z.enum(['up', 'down'])),
});

async function withTimeout(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      check().catch(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** `/healthz`: the process answers. `/readyz`: every dependency answers too (503 otherwise). */
export function registerHealthRoutes(app: Server, checks: ReadinessCheck[]): void {
  app.get(
    '/healthz',
    {
      logLevel: 'warn',
      config: publicRoute,
      schema: { tags: ['operations'], summary: 'Liveness', response: { 200: z.object({ status: z.literal('ok') }) } },
    },
    async () => ({ status: 'ok' as const }),
  );
  app.get(
    '/readyz',
    {
      logLevel: 'warn',
      config: publicRoute,
      schema: {
        tags: ['operations'],
        summary: 'Readiness: Postgres and Redis reachable',
        response: { 200: readinessSchema, 503: readinessSchema },
      },
    },
    async (_request, reply) => {
      const results = await Promise.all(
        checks.map(async ({ name, check }) => [name, await withTimeout(check, 2000)] as const),
      );
      const ready = results.every(([, up]) => up);
      return reply.code(ready ? 200 : 503).send({
        status: ready ? 'ready' : 'not_ready',
        checks: Object.fromEntries(results.map(([name, up]) => [name, up ? 'up' : 'down'])),
      });
    },
  );
}
