import { z } from 'zod';
import type { Server } from './create-server.ts';
import { publicRoute } from './route-access.ts';

const jwksSchema = z.object({
  keys: z.array(
    z.object({
      kty: z.string(),
      crv: z.string(),
      x: z.string(),
      kid: z.string().optional(),
      alg: z.string().optional(),
      use: z.string().optional(),
    }),
  ),
  /** Rotation announcements: each key after the first, signed by the key before it (docs/keys.md). */
  announcements: z.array(z.string()).optional(),
});

/** Publishes the service's public signing keys (active and retired) for anyone who verifies its signatures. */
export function registerJwksRoute(app: Server, jwks: () => Promise<z.infer<typeof jwksSchema>>): void {
  app.get(
    '/.well-known/jwks.json',
    {
      config: publicRoute,
      schema: { tags: ['keys'], summary: 'Public signing keys (JWKS, RFC 7517)', response: { 200: jwksSchema } },
    },
    async (_request, reply) => reply.header('cache-control', 'public, max-age=300').send(await jwks()),
  );
}
