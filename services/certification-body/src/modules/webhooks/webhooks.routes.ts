import { z } from 'zod';
import { allowRoles, principalOf } from '@cabc/auth';
import { problemResponses, type Server } from '@cabc/http-kit';
import { certificateEventTypes } from '@cabc/contracts';
import type { WebhooksService } from './webhooks.service.ts';
import { subscriptionView } from './webhooks.service.ts';

const security = [{ bearer: [] }];
const subscriberRoles = allowRoles('auditee', 'certification_body', 'admin');
const ORG = /^[a-z0-9][a-z0-9._-]{0,63}$/;

const subscriptionSchema = z.object({
  id: z.string(),
  url: z.string(),
  description: z.string().nullable(),
  /** Whose certificates it covers: the owner organization (null only on subscriptions older than that rule). */
  org: z.string().nullable(),
  toe: z.string().nullable(),
  eventTypes: z.array(z.string()).nullable(),
  ownerOrg: z.string(),
  createdBy: z.string(),
  status: z.enum(['active', 'disabled']),
  /** Why the certification body disabled it (deliveries kept failing); null while active. */
  disabledReason: z.string().nullable(),
  disabledAt: z.string().nullable(),
  failingSince: z.string().nullable(),
  lastSuccessAt: z.string().nullable(),
  createdAt: z.string(),
});

const attemptSchema = z.object({
  attempt: z.number().int(),
  trigger: z.enum(['automatic', 'manual']),
  startedAt: z.string(),
  durationMs: z.number().int(),
  outcome: z.enum(['succeeded', 'failed']),
  responseStatus: z.number().int().nullable(),
  responseBody: z.string().nullable(),
  error: z.string().nullable(),
});

const deliverySchema = z.object({
  id: z.number().int(),
  messageId: z.string(),
  subscriptionId: z.string(),
  eventType: z.string(),
  certificateId: z.string().nullable(),
  status: z.enum(['pending', 'delivered', 'failed', 'cancelled']),
  attempts: z.number().int(),
  maxAttempts: z.number().int(),
  nextAttemptAt: z.string().nullable(),
  lastError: z.string().nullable(),
  lastResponseStatus: z.number().int().nullable(),
  createdAt: z.string(),
  deliveredAt: z.string().nullable(),
  payload: z.unknown(),
  attemptLog: z.array(attemptSchema),
});

export function registerWebhookRoutes(app: Server, service: WebhooksService): void {
  app.post(
    '/v1/webhooks/subscriptions',
    {
      config: subscriberRoles,
      schema: {
        tags: ['webhooks'],
        summary: 'Subscribe a URL to certificate transitions (Standard Webhooks); the secret is shown once, here',
        description:
          'The URL must be http(s), without credentials, and must not be or resolve to a link-local or cloud metadata address ' +
          '(169.254.0.0/16, fe80::/10, 100.100.100.200, metadata.google.internal, ...); loopback and private networks only when ' +
          'WEBHOOK_ALLOW_LOOPBACK / WEBHOOK_ALLOW_PRIVATE_NETWORKS are true. A subscription covers the certificates of the ' +
          "caller's organization only: `org`, when given, must name it (else 403).",
        security,
        body: z.strictObject({
          url: z.string().min(1).max(2048),
          description: z.string().max(500).optional(),
          org: z.string().regex(ORG, 'an organization id: lowercase letters, digits, . _ -').optional(),
          toe: z.string().min(1).max(256).optional(),
          eventTypes: z.array(z.enum(certificateEventTypes)).max(certificateEventTypes.length).optional(),
        }),
        response: {
          201: subscriptionSchema.extend({
            secret: z.string().describe('whsec_… : verify webhook-signature with it; never shown again'),
          }),
          ...problemResponses(400, 401, 403, 409, 422),
        },
      },
    },
    async (request, reply) => {
      const { subscription, secret } = await service.create(principalOf(request), request.body, String(request.id));
      return reply.code(201).send({ ...subscriptionView(subscription), secret });
    },
  );

  app.get(
    '/v1/webhooks/subscriptions',
    {
      config: subscriberRoles,
      schema: {
        tags: ['webhooks'],
        summary:
          "The caller's organization's subscriptions (ownerOrg naming another one: none); a disabled one says why in disabledReason",
        security,
        querystring: z.object({
          ownerOrg: z.string().regex(ORG).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(100),
        }),
        response: { 200: z.object({ items: z.array(subscriptionSchema) }), ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => ({
      items: (await service.list(principalOf(request), { ownerOrg: request.query.ownerOrg }, request.query.limit)).map(
        subscriptionView,
      ),
    }),
  );

  app.get(
    '/v1/webhooks/subscriptions/:id',
    {
      config: subscriberRoles,
      schema: {
        tags: ['webhooks'],
        summary: 'One subscription',
        security,
        params: z.object({ id: z.uuid() }),
        response: { 200: subscriptionSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => subscriptionView(await service.visibleSubscription(request.params.id, principalOf(request))),
  );

  app.delete(
    '/v1/webhooks/subscriptions/:id',
    {
      config: subscriberRoles,
      schema: {
        tags: ['webhooks'],
        summary: 'Delete a subscription (its pending deliveries are cancelled; the delivery log stays)',
        security,
        params: z.object({ id: z.uuid() }),
        response: { 204: z.null().describe('deleted'), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await service.remove(principalOf(request), request.params.id, String(request.id));
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/webhooks/subscriptions/:id/enable',
    {
      config: subscriberRoles,
      schema: {
        tags: ['webhooks'],
        summary: 'Enable a subscription the certification body disabled (then redeliver what was missed)',
        security,
        params: z.object({ id: z.uuid() }),
        response: { 200: subscriptionSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) =>
      subscriptionView(await service.enable(principalOf(request), request.params.id, String(request.id))),
  );

  app.get(
    '/v1/webhooks/deliveries',
    {
      config: subscriberRoles,
      schema: {
        tags: ['webhooks'],
        summary: "A subscription's deliveries, newest first, each with every attempt",
        security,
        querystring: z.object({
          subscription: z.uuid(),
          status: z.enum(['pending', 'delivered', 'failed', 'cancelled']).optional(),
          before: z.coerce.number().int().positive().optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
        response: { 200: z.object({ items: z.array(deliverySchema) }), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => ({
      items: await service.deliveries(
        principalOf(request),
        { subscriptionId: request.query.subscription, status: request.query.status, beforeId: request.query.before },
        request.query.limit,
      ),
    }),
  );

  app.get(
    '/v1/webhooks/deliveries/:id',
    {
      config: subscriberRoles,
      schema: {
        tags: ['webhooks'],
        summary: 'One delivery with its payload and every attempt',
        security,
        params: z.object({ id: z.coerce.number().int().positive() }),
        response: { 200: deliverySchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => service.delivery(principalOf(request), request.params.id),
  );

  app.post(
    '/v1/webhooks/deliveries/:id/redeliver',
    {
      config: subscriberRoles,
      schema: {
        tags: ['webhooks'],
        summary:
          'Send a delivery again now (same webhook-id; logged as a manual attempt; a fresh round of retries if it fails)',
        security,
        params: z.object({ id: z.coerce.number().int().positive() }),
        response: { 202: deliverySchema, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) =>
      reply.code(202).send(await service.redeliver(principalOf(request), request.params.id, String(request.id))),
  );

  app.get(
    '/v1/notifications',
    {
      config: subscriberRoles,
      schema: {
        tags: ['webhooks'],
        summary:
          "What the certification body told the caller's organization (e.g. a subscription it disabled), newest first",
        security,
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
        response: {
          200: z.object({
            items: z.array(
              z.object({
                id: z.number().int(),
                org: z.string(),
                recipient: z.string().nullable(),
                kind: z.string(),
                subjectType: z.string(),
                subjectId: z.string(),
                message: z.string(),
                createdAt: z.string(),
              }),
            ),
          }),
          ...problemResponses(400, 401, 403),
        },
      },
    },
    async (request) => ({
      items: (await service.notifications(principalOf(request), request.query.limit)).map((n) => ({
        ...n,
        createdAt: n.createdAt.toISOString(),
      })),
    }),
  );
}
