import { z } from 'zod';
import { allowRoles, principalOf } from '@cabc/auth';
import { problemResponses, type Server } from '@cabc/http-kit';
import { actorOf } from '../common/actor.ts';
import { certificateReaders, orgScopeOf, requestScope } from '../common/access.ts';
import { certificationNotFound } from './certification-errors.ts';
import type { CertificationRecord, CertificationRepository } from './certification.repository.ts';
import type { CertificationService } from './certification.service.ts';

const security = [{ bearer: [] }];

const certificationSchema = z.object({
  id: z.string(),
  toe: z.string(),
  toeName: z.string(),
  org: z.string(),
  scopeVersion: z.number().int(),
  scopeDigest: z.string(),
  requirements: z.array(z.object({ id: z.string(), title: z.string(), severity: z.string(), critical: z.boolean() })),
  /** none (no certificate yet), or the certificate's state. */
  lifecycleState: z.string(),
  certificateId: z.string().nullable(),
  policy: z.record(z.string(), z.unknown()),
  approval: z.object({ ref: z.string(), at: z.string() }).nullable(),
  posture: z.record(z.string(), z.unknown()).nullable(),
  nextDeadline: z.string().nullable(),
  openedAt: z.string(),
  closedAt: z.string().nullable(),
  closeReason: z.string().nullable(),
});

function certificationView(record: CertificationRecord): z.infer<typeof certificationSchema> {
  const state = record.decisionState;
  return {
    id: record.id,
    toe: record.toe,
    toeName: record.toeName,
    org: record.org,
    scopeVersion: record.scopeVersion,
    scopeDigest: record.scopeDigest,
    requirements: record.requirements,
    lifecycleState: state.certificate.state,
    certificateId: record.certificateId,
    policy: { ...state.policy },
    approval: state.approval,
    posture: state.posture ? { ...state.posture } : null,
    nextDeadline: record.nextDeadline?.toISOString() ?? null,
    openedAt: record.openedAt.toISOString(),
    closedAt: record.closedAt?.toISOString() ?? null,
    closeReason: record.closeReason,
  };
}

/** Certifications: the decision state behind each certificate (one per ToE and approved scope version). */
export function registerCertificationRoutes(
  app: Server,
  deps: { certifications: CertificationRepository; certification: CertificationService },
): void {
  app.get(
    '/v1/certifications',
    {
      config: allowRoles(...certificateReaders),
      schema: {
        tags: ['certifications'],
        summary: "Certifications, newest first (every token sees its own organization's only)",
        security,
        querystring: z.object({
          toe: z.string().min(1).max(256).optional(),
          limit: z.coerce.number().int().min(1).max(100).default(20),
        }),
        response: { 200: z.object({ items: z.array(certificationSchema) }), ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { scope } = requestScope(request);
      const items = await deps.certifications.listCertifications(
        { ...(request.query.toe ? { toe: request.query.toe } : {}), scope },
        request.query.limit,
      );
      return { items: items.map(certificationView) };
    },
  );

  app.get(
    '/v1/certifications/:id',
    {
      config: allowRoles(...certificateReaders),
      schema: {
        tags: ['certifications'],
        summary: 'A certification: scope, policy, last applied posture, deadlines',
        security,
        params: z.object({ id: z.uuid() }),
        response: { 200: certificationSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { scope } = requestScope(request);
      const record = await deps.certifications.certification(request.params.id);
      if (!record || record.org !== scope.org) throw certificationNotFound(request.params.id);
      return certificationView(record);
    },
  );

  app.put(
    '/v1/certifications/:id/policy',
    {
      // The certification body's own staff only, never an auditee organization's admin (docs/authorization.md).
      config: allowRoles('certification_body'),
      schema: {
        tags: ['certifications'],
        summary: "Replace an open certification's decision policy (audited; deadlines follow at once)",
        security,
        params: z.object({ id: z.uuid() }),
        body: z.strictObject({
          policy: z.record(z.string(), z.unknown()),
          comment: z.string().trim().min(1, 'say why the policy changes').max(2000),
        }),
        response: { 200: certificationSchema, ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const record = await deps.certification.setPolicy({
        certificationId: request.params.id,
        scope: orgScopeOf(principal),
        policy: request.body.policy,
        actor: actorOf(principal),
        comment: request.body.comment,
        requestId: String(request.id),
      });
      return certificationView(record);
    },
  );
}
