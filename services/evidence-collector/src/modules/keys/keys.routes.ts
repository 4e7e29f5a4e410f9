import { z } from 'zod';
import { problemResponses, type Server } from '@cabc/http-kit';
import type { Access } from '../access/access.ts';
import type { CollectorKeys } from './collector-keys.ts';

const keyInfoSchema = z.object({
  kid: z.string(),
  status: z.enum(['active', 'retired', 'next']),
  createdAt: z.string(),
  retiredAt: z.string().nullable(),
  jwk: z.object({
    kty: z.string(),
    crv: z.string(),
    x: z.string(),
    kid: z.string().optional(),
    alg: z.string().optional(),
    use: z.string().optional(),
  }),
});

const approvalNote =
  'The assessment accepts evidence only from keys approved in the ToE’s scope: add the new key id to the scope (a new scope version the auditor approves) before or right after the rotation.';

export function registerKeyRoutes(app: Server, keys: CollectorKeys, access: Access): void {
  app.get(
    '/v1/keys',
    {
      schema: {
        tags: ['keys'],
        summary: 'The collector’s signing keys and their status (active, next, retired); public parts only',
        security: [{ bearer: [] }],
        response: { 200: z.object({ keys: z.array(keyInfoSchema) }), ...problemResponses(401, 403) },
      },
      ...access.manageKeys,
    },
    async () => ({ keys: await keys.list() }),
  );

  app.post(
    '/v1/keys/next',
    {
      schema: {
        tags: ['keys'],
        summary: 'Prepare the next signing key: published in the JWKS now, used for signing only after the rotation',
        description: `Step 1 of a planned rotation. ${approvalNote}`,
        security: [{ bearer: [] }],
        response: { 201: keyInfoSchema, 200: keyInfoSchema, ...problemResponses(401, 403) },
      },
      ...access.manageKeys,
    },
    async (request, reply) => {
      const { key, created } = await keys.prepareNext();
      request.log.info({ kid: key.kid, created }, 'next signing key prepared');
      return reply.code(created ? 201 : 200).send(key);
    },
  );

  app.post(
    '/v1/keys/rotate',
    {
      schema: {
        tags: ['keys'],
        summary:
          'Rotate the signing key: the prepared next key (or a new one) becomes active; the old one stays published',
        description: `Step 2 of a planned rotation, or an emergency rotation without step 1. ${approvalNote}`,
        security: [{ bearer: [] }],
        response: {
          200: z.object({
            active: keyInfoSchema,
            retired: keyInfoSchema,
            promotedNextKey: z.boolean(),
            note: z.string(),
          }),
          ...problemResponses(401, 403),
        },
      },
      ...access.manageKeys,
    },
    async (request) => {
      const { active, retired, promoted } = await keys.rotate();
      request.log.warn({ kid: active.kid, retiredKid: retired.kid, promoted }, 'signing key rotated');
      return { active, retired, promotedNextKey: promoted, note: approvalNote };
    },
  );
}
