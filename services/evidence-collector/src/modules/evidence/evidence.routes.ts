import { z } from 'zod';
import { problemResponses, type EvidenceMetrics, type Server } from '@cabc/http-kit';
import type { Access } from '../access/access.ts';
import {
  evidencePageSchema,
  evidenceViewSchema,
  idempotencyHeadersSchema,
  listQuerySchema,
  submissionViewSchema,
  submitQuerySchema,
  unifiedEvidenceSchema,
} from './evidence.schemas.ts';
import type { EvidenceService } from './evidence.service.ts';
import { readSubmission } from './submission-input.ts';

const idParams = z.object({ id: z.uuid() });
const rawParams = z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex characters') });

const submitDescription = `Three forms:

- **Unified evidence**: \`application/json\` body as documented here, without \`?toe=\`. Answer: the evidence.
- **A native tool file** as the body, exactly as the tool wrote it, with \`?toe=<id>\` (and optionally \`format\`,
  \`model=<name>@sha256:<hex>\`, \`filename\`); the format is detected from the content unless named.
- **Several files** as \`multipart/form-data\`: fields \`toe\`, \`format\`, \`model\` and one or more \`file\` parts.

Each evidence item a file yields becomes its own signed statement; the file itself is kept by its sha256
(\`GET /v1/raw/{sha256}\`). Native and multipart uploads answer with the submission and all its evidence. Everything
is stored in one transaction or not at all. Roles: pipeline, auditee.`;

export function registerEvidenceRoutes(
  app: Server,
  service: EvidenceService,
  access: Access,
  options: { bodyLimitBytes: number; metrics: EvidenceMetrics },
): void {
  app.post(
    '/v1/evidence',
    {
      schema: {
        tags: ['evidence'],
        summary:
          'Submit evidence (unified JSON, a native tool file, or files as multipart); each item is signed (DSSE) and delivered',
        description: submitDescription,
        security: [{ bearer: [] }],
        headers: idempotencyHeadersSchema,
        querystring: submitQuerySchema,
        body: unifiedEvidenceSchema,
        response: {
          201: z.union([evidenceViewSchema, submissionViewSchema]),
          200: z.union([evidenceViewSchema, submissionViewSchema]),
          ...problemResponses(400, 401, 403, 409, 413, 415, 422),
        },
      },
      // The body arrives as bytes (native files are kept exactly); readSubmission parses and validates it.
      validatorCompiler: (route) =>
        route.httpPart === 'body' ? (data: unknown) => ({ value: data }) : app.validatorCompiler!(route),
      ...access.push,
      onResponse: options.metrics.routeHooks.onResponse,
    },
    async (request, reply) => {
      const principal = access.principal(request);
      const input = await readSubmission(request, request.query, options);
      // access.push let only pipeline and auditee roles through.
      const role = principal.role as 'pipeline' | 'auditee';
      const result = await service.submit(
        input,
        { org: principal.org, subject: principal.subject, role },
        {
          idempotencyKey: request.headers['idempotency-key'],
        },
      );
      const location =
        result.mode === 'unified' ? `/v1/evidence/${result.view.id}` : `/v1/submissions/${result.view.id}`;
      return reply
        .code(result.created ? 201 : 200)
        .header('location', location)
        .send(result.view);
    },
  );

  app.get(
    '/v1/evidence',
    {
      schema: {
        tags: ['evidence'],
        summary: 'Evidence of the caller’s organization, newest first (cursor pagination), optionally of one ToE',
        security: [{ bearer: [] }],
        querystring: listQuerySchema,
        response: { 200: evidencePageSchema, ...problemResponses(400, 401, 403) },
      },
      ...access.read,
    },
    async (request) => service.list(access.principal(request).org, request.query),
  );

  app.get(
    '/v1/evidence/:id',
    {
      schema: {
        tags: ['evidence'],
        summary: 'Evidence digests and delivery state (with the auditor’s signed receipt once delivered)',
        security: [{ bearer: [] }],
        params: idParams,
        response: { 200: evidenceViewSchema, ...problemResponses(400, 401, 403, 404) },
      },
      ...access.read,
    },
    async (request) => service.get(access.principal(request).org, request.params.id),
  );

  app.get(
    '/v1/evidence/:id/envelope',
    {
      schema: {
        tags: ['evidence'],
        summary: 'The signed DSSE envelope exactly as delivered',
        security: [{ bearer: [] }],
        params: idParams,
        response: { ...problemResponses(400, 401, 403, 404) },
      },
      ...access.read,
    },
    async (request, reply) => {
      // The stored text is sent as is: a verifier must see the exact bytes that were signed and delivered.
      const envelope = await service.envelope(access.principal(request).org, request.params.id);
      return reply
        .type('application/json')
        .serializer((text: unknown) => String(text))
        .send(envelope as never);
    },
  );

  app.get(
    '/v1/submissions/:id',
    {
      schema: {
        tags: ['evidence'],
        summary: 'One upload and the evidence it produced, with the delivery state of each',
        security: [{ bearer: [] }],
        params: idParams,
        response: { 200: submissionViewSchema, ...problemResponses(400, 401, 403, 404) },
      },
      ...access.read,
    },
    async (request) => service.submission(access.principal(request).org, request.params.id),
  );

  app.get(
    '/v1/raw/:sha256',
    {
      schema: {
        tags: ['evidence'],
        summary: 'The untouched tool output a piece of evidence was made from, by its sha256',
        security: [{ bearer: [] }],
        params: rawParams,
        response: { ...problemResponses(400, 401, 403, 404) },
      },
      ...access.read,
    },
    async (request, reply) => {
      const raw = await service.raw(access.principal(request).org, request.params.sha256);
      return reply
        .type(raw.mediaType)
        .header('digest', `sha-256=${Buffer.from(request.params.sha256, 'hex').toString('base64')}`)
        .header('etag', `"${request.params.sha256}"`)
        .header('cache-control', 'private, max-age=31536000, immutable')
        .send(raw.content as never);
    },
  );
}
