import { z } from 'zod';
import { problemResponses, type Server } from '@cabc/http-kit';
import { INT32_MAX } from '@cabc/contracts';
import { allowedTo, authorize } from '../authorization/permissions.ts';
import { toeParamsSchema } from '../toes/toes.schemas.ts';
import { scopeStates } from './scope-workflow.ts';
import type { ScopeComment, ScopeVersion } from './scopes.repository.ts';
import type { ScopesService } from './scopes.service.ts';

const versionParams = toeParamsSchema.extend({ version: z.coerce.number().int().positive().max(INT32_MAX) });

const commentSchema = z.object({
  id: z.number().int(),
  requirementId: z.string().nullable(),
  author: z.string(),
  role: z.string(),
  body: z.string(),
  createdAt: z.string(),
});

const scopeViewSchema = z.object({
  toeId: z.string(),
  version: z.number().int(),
  state: z.enum(scopeStates),
  digest: z.string().describe('SHA-256 of the canonical JSON of the document: what an approval covers'),
  document: z.unknown(),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
});

const view = (scope: ScopeVersion) => ({
  toeId: scope.toeId,
  version: scope.version,
  state: scope.state,
  digest: scope.digest,
  document: scope.document,
  createdBy: scope.createdBy,
  createdAt: scope.createdAt.toISOString(),
  updatedAt: scope.updatedAt.toISOString(),
  decidedBy: scope.decidedBy,
  decidedAt: scope.decidedAt?.toISOString() ?? null,
});
const commentView = (comment: ScopeComment) => ({ ...comment, createdAt: comment.createdAt.toISOString() });

const tags = ['scopes'];
const security = [{ bearer: [] }];

export function registerScopeRoutes(app: Server, scopes: ScopesService): void {
  app.post(
    '/v1/toes/:toeId/scopes',
    {
      config: allowedTo('scope:draft'),
      schema: {
        tags,
        security,
        summary: 'Start a new draft scope version (auditee); without a document, the version in force is copied',
        params: toeParamsSchema,
        body: z.object({ document: z.unknown().optional() }),
        response: { 201: scopeViewSchema, ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const scope = await scopes.createDraft(
        authorize(request, 'scope:draft'),
        request.params.toeId,
        request.body.document,
      );
      return reply.code(201).header('location', `/v1/toes/${scope.toeId}/scopes/${scope.version}`).send(view(scope));
    },
  );

  app.get(
    '/v1/toes/:toeId/scopes',
    {
      config: allowedTo('scope:read'),
      schema: {
        tags,
        security,
        summary: 'Every scope version of a ToE, oldest first',
        params: toeParamsSchema,
        response: { 200: z.object({ items: z.array(scopeViewSchema) }), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => ({
      items: (await scopes.list(authorize(request, 'scope:read'), request.params.toeId)).map(view),
    }),
  );

  app.get(
    '/v1/toes/:toeId/scopes/:version',
    {
      config: allowedTo('scope:read'),
      schema: {
        tags,
        security,
        summary: 'One scope version with its review comments',
        params: versionParams,
        response: {
          200: scopeViewSchema.extend({ comments: z.array(commentSchema) }),
          ...problemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const { scope, comments } = await scopes.get(
        authorize(request, 'scope:read'),
        request.params.toeId,
        request.params.version,
      );
      return { ...view(scope), comments: comments.map(commentView) };
    },
  );

  app.put(
    '/v1/toes/:toeId/scopes/:version',
    {
      config: allowedTo('scope:draft'),
      schema: {
        tags,
        security,
        summary: 'Replace the document of a draft (or changes-requested) version (auditee)',
        params: versionParams,
        body: z.object({ document: z.unknown() }),
        response: { 200: scopeViewSchema, ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request) =>
      view(
        await scopes.edit(
          authorize(request, 'scope:draft'),
          request.params.toeId,
          request.params.version,
          request.body.document,
        ),
      ),
  );

  app.post(
    '/v1/toes/:toeId/scopes/:version/submit',
    {
      config: allowedTo('scope:submit'),
      schema: {
        tags,
        security,
        summary: 'Submit a version for review (auditee)',
        params: versionParams,
        response: { 200: scopeViewSchema, ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request) =>
      view(await scopes.submit(authorize(request, 'scope:submit'), request.params.toeId, request.params.version)),
  );

  const decisions = [
    [
      'request-changes',
      'request_changes',
      'Send a submitted version back to the auditee with a comment (auditor)',
      true,
    ],
    ['approve', 'approve', 'Approve a submitted version (auditor): signed and sent to the certification body', false],
    ['reject', 'reject', 'Reject a submitted version (auditor), with the reason', true],
  ] as const;
  for (const [path, decision, summary, commentRequired] of decisions) {
    app.post(
      `/v1/toes/:toeId/scopes/:version/${path}`,
      {
        config: allowedTo('scope:review'),
        schema: {
          tags,
          security,
          summary,
          params: versionParams,
          body: z.object({
            comment: commentRequired ? z.string().min(1).max(8192) : z.string().min(1).max(8192).optional(),
          }),
          response: { 200: scopeViewSchema, ...problemResponses(400, 401, 403, 404, 409) },
        },
      },
      async (request) =>
        view(
          await scopes.decide(
            authorize(request, 'scope:review'),
            request.params.toeId,
            request.params.version,
            decision,
            request.body.comment ?? null,
          ),
        ),
    );
  }

  app.post(
    '/v1/toes/:toeId/scopes/:version/comments',
    {
      config: allowedTo('scope:comment'),
      schema: {
        tags,
        security,
        summary: 'Comment on a version, on the whole or on one requirement',
        params: versionParams,
        body: z.strictObject({ requirementId: z.string().max(64).optional(), body: z.string().min(1).max(8192) }),
        response: { 201: commentSchema, ...problemResponses(400, 401, 403, 404, 422) },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(
          commentView(
            await scopes.comment(
              authorize(request, 'scope:comment'),
              request.params.toeId,
              request.params.version,
              request.body,
            ),
          ),
        ),
  );
}
