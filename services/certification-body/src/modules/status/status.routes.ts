import { z } from 'zod';
import { HttpProblem, problemResponses, publicRoute, type Server, type ZodTypeProvider } from '@cabc/http-kit';
import { statusResponseSchema, type StatusAnswer } from '@cabc/contracts';
import type { StatusService } from './status.service.ts';
import type { TokenBucket } from './token-bucket.ts';

const ORG = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** Seconds a shared cache may keep an answer: until nextUpdate (a day for answers that never change). */
function maxAgeSeconds(answer: { thisUpdate: string; nextUpdate: string | null }): number {
  if (!answer.nextUpdate) return 86_400;
  return Math.max(0, Math.floor((Date.parse(answer.nextUpdate) - Date.parse(answer.thisUpdate)) / 1000));
}

function wantsJwt(accept: string | undefined): boolean {
  return /\bapplication\/(jwt|cabc-status\+jwt)\b/i.test(accept ?? '') && !/\bapplication\/json\b/i.test(accept ?? '');
}

/** Public, unauthenticated, rate limited per client address: answers anyone about any certificate. */
export async function registerStatusRoutes(
  app: Server,
  deps: { status: StatusService; limiter: TokenBucket },
): Promise<void> {
  await app.register(async (scope) => {
    scope.addHook('onRequest', async (request, reply) => {
      const taken = deps.limiter.take(request.ip);
      reply.header('ratelimit-limit', deps.limiter.limit);
      reply.header('ratelimit-remaining', taken.remaining);
      if (!taken.allowed) {
        const seconds = Math.max(1, Math.ceil(taken.retryAfterMs / 1000));
        reply.header('retry-after', seconds);
        throw new HttpProblem(
          429,
          'rate-limited',
          'Too many requests',
          `status requests from ${request.ip} exceed the limit; retry in ${seconds} s`,
          {
            extensions: { retryAfter: seconds },
          },
        );
      }
    });
    const typed = scope.withTypeProvider<ZodTypeProvider>();

    typed.get(
      '/v1/status/:certificateId',
      {
        config: publicRoute,
        schema: {
          tags: ['status'],
          summary: 'Is this certificate valid now? (public, OCSP-like)',
          description:
            'good | suspended | revoked | expired | withdrawn | unknown. An unknown or malformed id is `unknown` (200). ' +
            '`expired` as soon as the validity ended, even before the scheduler recorded it. Every answer is signed by the ' +
            'certification body (typ cabc-status+jwt, claims bound to the certificate id and the sha256 of the certificate ' +
            'JWT, iat = thisUpdate, exp = nextUpdate): the JSON carries it in `jws`; with `Accept: application/jwt` the ' +
            'JWT alone is the body. Verify the JWT with /.well-known/jwks.json, not the JSON around it.',
          params: z.object({ certificateId: z.string() }),
          response: { 200: statusResponseSchema, ...problemResponses(429) },
        },
      },
      async (request, reply) => {
        const answer: StatusAnswer = await deps.status.statusOf(request.params.certificateId);
        reply.header('cache-control', `public, max-age=${maxAgeSeconds(answer)}`);
        reply.header('vary', 'accept');
        const jws = await deps.status.signedStatus(answer);
        if (wantsJwt(request.headers.accept)) {
          return reply
            .type('application/jwt')
            .serializer((payload: unknown) => String(payload))
            .send(jws as never);
        }
        return { ...answer, jws };
      },
    );

    // Ids the router will not put in a parameter (over its length limit, or holding a slash) are malformed, and a
    // malformed id is `unknown`, not an error page: a hidden catch-all answers them.
    typed.get('/v1/status/*', { config: publicRoute, schema: { hide: true } }, async (request, reply) => {
      const answer = await deps.status.statusOf((request.params as { '*': string })['*']);
      const jws = await deps.status.signedStatus(answer);
      return reply.header('cache-control', `public, max-age=${maxAgeSeconds(answer)}`).send({ ...answer, jws });
    });

    typed.get(
      '/v1/status-lists/:org',
      {
        config: publicRoute,
        schema: {
          tags: ['status'],
          summary:
            'Every certificate of an organization with its status: a JWT signed by the certification body (typ cabc-status-list+jwt)',
          description:
            'Claims: iss, sub (the organization), iat, exp (= nextUpdate), thisUpdate, nextUpdate, certificates[] ' +
            '{id, toe, scopeVersion, status, reasonCode, reason, since, expiresAt, revokedAt}. An organization without ' +
            'certificates gets a signed empty list. Verify with /.well-known/jwks.json.',
          params: z.object({ org: z.string().regex(ORG, 'an organization id: lowercase letters, digits, . _ -') }),
          produces: ['application/jwt'],
          response: { 200: z.string().describe('compact JWS (application/jwt)'), ...problemResponses(400, 429) },
        },
      },
      async (request, reply) => {
        const list = await deps.status.statusList(request.params.org);
        const seconds = Math.max(0, Math.floor((list.nextUpdate.getTime() - list.thisUpdate.getTime()) / 1000));
        return reply
          .header('cache-control', `public, max-age=${seconds}`)
          .type('application/jwt')
          .serializer((payload: unknown) => String(payload))
          .send(list.token);
      },
    );
  });
}
