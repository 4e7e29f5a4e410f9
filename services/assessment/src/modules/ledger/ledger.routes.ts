import type { FastifyReply, FastifyRequest } from 'fastify';
import { allowRoles } from '@cabc/auth';
import { problemResponses, publicRoute, type Server } from '@cabc/http-kit';
import {
  checkpointListQuerySchema,
  checkpointListSchema,
  checkpointViewSchema,
  consistencyProofSchema,
  consistencyQuerySchema,
  inclusionProofSchema,
  inclusionQuerySchema,
  indexParamsSchema,
  leafViewSchema,
  sizeParamsSchema,
  toCheckpointView,
  verifierKeySchema,
} from './ledger.schemas.ts';
import type { LedgerService } from './ledger.service.ts';

const base64 = (hash: Buffer) => hash.toString('base64');

/** The note as text/plain when the client asks for it first (`Accept: text/plain`), JSON otherwise. */
function wantsText(request: FastifyRequest): boolean {
  const first = (request.headers.accept ?? '')
    .split(',')
    .map((part) => part.split(';')[0]!.trim().toLowerCase())
    .find((type) => type === 'text/plain' || type === 'application/json');
  return first === 'text/plain';
}

function sendText(reply: FastifyReply, text: string) {
  return reply
    .type('text/plain; charset=utf-8')
    .serializer((payload: unknown) => String(payload))
    .send(text);
}

const noteDescription = 'JSON by default; the signed note itself (C2SP tlog-checkpoint) with `Accept: text/plain`.';

/**
 * Ledger reads are public: checkpoints, proofs and leaf hashes hold only sizes, hashes and signatures, and the
 * auditee, the certification body and any outsider must be able to verify (docs/ledger.md, "Who may read").
 * Signing a checkpoint on demand is the auditor's (or an admin's).
 */
export function registerLedgerRoutes(app: Server, service: LedgerService): void {
  app.get(
    '/v1/ledger/verifier-key',
    {
      config: publicRoute,
      schema: {
        tags: ['ledger'],
        summary: 'The note verifier key that checks checkpoint signatures',
        description:
          'Pin it out of band if you can. JSON by default; the active key alone as text with `Accept: text/plain`.',
        response: { 200: verifierKeySchema },
      },
    },
    async (request, reply) => {
      const keys = await service.verifierKeys();
      if (wantsText(request)) return sendText(reply, `${keys.active}\n`);
      return { origin: service.origin, verifierKey: keys.active, verifierKeys: keys.all };
    },
  );

  app.post(
    '/v1/ledger/checkpoints',
    {
      config: allowRoles('auditor', 'admin'),
      schema: {
        tags: ['ledger'],
        summary: 'Sign the current tree head now (auditor or admin)',
        description:
          '201 with the new checkpoint; 200 with the existing one when the active key already signed this size.',
        security: [{ bearer: [] }],
        response: { 201: checkpointViewSchema, 200: checkpointViewSchema, ...problemResponses(401, 403) },
      },
    },
    async (_request, reply) => {
      const { created, checkpoint } = await service.checkpoint();
      return reply.code(created ? 201 : 200).send(toCheckpointView(checkpoint));
    },
  );

  app.get(
    '/v1/ledger/checkpoints',
    {
      config: publicRoute,
      schema: {
        tags: ['ledger'],
        summary: 'Every signed checkpoint, in signing order',
        querystring: checkpointListQuerySchema,
        response: { 200: checkpointListSchema, ...problemResponses(400) },
      },
    },
    async (request) => {
      const items = await service.list({ afterId: request.query.after ?? 0, limit: request.query.limit });
      return {
        items: items.map(toCheckpointView),
        next: items.length === request.query.limit ? items.at(-1)!.id : null,
      };
    },
  );

  app.get(
    '/v1/ledger/checkpoints/latest',
    {
      config: publicRoute,
      schema: {
        tags: ['ledger'],
        summary: 'The latest signed checkpoint',
        description: noteDescription,
        response: { 200: checkpointViewSchema, ...problemResponses(404) },
      },
    },
    async (request, reply) => {
      const checkpoint = await service.latest();
      if (wantsText(request)) return sendText(reply, checkpoint.note);
      return toCheckpointView(checkpoint);
    },
  );

  app.get(
    '/v1/ledger/checkpoints/:size',
    {
      config: publicRoute,
      schema: {
        tags: ['ledger'],
        summary: 'The signed checkpoint of one tree size',
        description: noteDescription,
        params: sizeParamsSchema,
        response: { 200: checkpointViewSchema, ...problemResponses(400, 404) },
      },
    },
    async (request, reply) => {
      const checkpoint = await service.ofSize(request.params.size);
      if (wantsText(request)) return sendText(reply, checkpoint.note);
      return toCheckpointView(checkpoint);
    },
  );

  app.get(
    '/v1/ledger/proofs/inclusion',
    {
      config: publicRoute,
      schema: {
        tags: ['ledger'],
        summary: 'Inclusion proof of one leaf (by index or evidence id) in the tree of a given size',
        description:
          'Out of range (index ≥ size, size beyond the log, negative) → 422 naming the parameter and the limit.',
        querystring: inclusionQuerySchema,
        response: { 200: inclusionProofSchema, ...problemResponses(400, 404, 422) },
      },
    },
    async (request) => {
      const proof = await service.inclusion(request.query);
      return {
        index: proof.index,
        size: proof.size,
        leafHash: base64(proof.leafHash),
        hashes: proof.hashes.map(base64),
      };
    },
  );

  app.get(
    '/v1/ledger/proofs/consistency',
    {
      config: publicRoute,
      schema: {
        tags: ['ledger'],
        summary: 'Consistency proof: the tree of size first is a prefix of the tree of size second',
        description: 'first > second, or a size beyond the log → 422 naming the parameter and the limit.',
        querystring: consistencyQuerySchema,
        response: { 200: consistencyProofSchema, ...problemResponses(400, 422) },
      },
    },
    async (request) => {
      const proof = await service.consistency(request.query);
      return { first: proof.first, second: proof.second, hashes: proof.hashes.map(base64) };
    },
  );

  app.get(
    '/v1/ledger/leaves/:index',
    {
      config: publicRoute,
      schema: {
        tags: ['ledger'],
        summary: 'The committed leaf hash at an index, and the one recomputed from the evidence row stored now',
        params: indexParamsSchema,
        response: { 200: leafViewSchema, ...problemResponses(400, 404, 422) },
      },
    },
    async (request) => {
      const leaf = await service.leaf(request.params.index);
      return {
        index: leaf.index,
        leafHash: base64(leaf.leafHash),
        storedLeafHash: leaf.storedLeafHash ? base64(leaf.storedLeafHash) : null,
        matches: leaf.matches,
      };
    },
  );
}
