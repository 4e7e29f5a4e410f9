import type { FastifyReply, FastifyRequest } from 'fastify';
import fastifyRateLimit from '@fastify/rate-limit';
import { TooManyRequestsProblem, type Server } from '@cabc/http-kit';
import type { Redis } from '@cabc/service-kit';

/** What the unauthenticated evidence endpoints accept before any work is done (docs/operations.md#limits). */
export interface EvidenceLimits {
  /** Requests per client address and window, over both evidence endpoints. */
  perAddress: number;
  /** Envelopes per ToE and window, counted one by one (a batch of 10 for one ToE counts 10). */
  perToe: number;
  windowMs: number;
  /** Envelopes in one batch; more is 413. */
  batchMax: number;
  /** Envelopes of one batch verified and stored at the same time. */
  batchConcurrency: number;
}

export interface EvidenceRateLimits {
  /** The onRequest hook of both endpoints (one count for the two): the per-address limit, before the body is read. */
  perAddress: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  /** Counts one envelope against its ToE's limit; throws TooManyRequestsProblem over it. */
  admitToe: (request: FastifyRequest) => (toe: string) => Promise<void>;
}

/**
 * The rate limits of the evidence endpoints, counted in Redis (one count across replicas) by @fastify/rate-limit.
 * Registered in the evidence routes' own scope, so no other route is limited by it.
 */
export async function registerEvidenceRateLimits(
  scope: Server,
  redis: Redis,
  prefix: string,
  limits: EvidenceLimits,
): Promise<EvidenceRateLimits> {
  await scope.register(fastifyRateLimit, {
    global: false,
    redis,
    nameSpace: `${prefix}:rate-limit:`,
    // Evidence is signed and kept through the outbox: a Redis outage must not stop it, so the limits fail open.
    skipOnError: true,
    errorResponseBuilder: (_request, context) =>
      new TooManyRequestsProblem(
        `more than ${context.max} evidence requests from this address in ${limits.windowMs} ms; retry in ${context.after}`,
        Math.ceil(context.ttl / 1000),
        'client-address',
      ),
  });
  // The ToE a count is for, per request; the counts of one request are made one after another (see admitToe).
  const toeOf = new WeakMap<FastifyRequest, string>();
  const toeLimiter = scope.createRateLimit({
    skipOnError: true,
    max: limits.perToe,
    timeWindow: limits.windowMs,
    keyGenerator: (request) => `toe:${toeOf.get(request) ?? ''}`,
  });
  const perAddress = scope.rateLimit({ max: limits.perAddress, timeWindow: limits.windowMs });
  return {
    perAddress: async (request, reply) => {
      await perAddress.call(scope, request, reply);
    },
    admitToe: (request) => {
      let queue: Promise<unknown> = Promise.resolve();
      return (toe) => {
        const counted = queue.then(async () => {
          toeOf.set(request, toe);
          return toeLimiter(request);
        });
        queue = counted.catch(() => undefined);
        return counted.then((result) => {
          if (result.isAllowed || !result.isExceeded) return;
          throw new TooManyRequestsProblem(
            `more than ${result.max} envelopes for ToE ${toe} in ${result.timeWindow} ms; retry in ${result.ttlInSeconds} s`,
            result.ttlInSeconds,
            'payload.predicate.toe',
          );
        });
      };
    },
  };
}
