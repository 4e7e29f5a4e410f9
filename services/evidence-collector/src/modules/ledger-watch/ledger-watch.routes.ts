import { z } from 'zod';
import { allowRoles, principalOf } from '@cabc/auth';
import { problemResponses, type Server } from '@cabc/http-kit';
import type { LedgerWatchRepository } from './ledger-watch.repository.ts';

const statusSchema = z.object({
  /** No failure visible to the caller's organization (entries of its evidence, and faults of the log as a whole). */
  ok: z.boolean(),
  /** The pinned note verifier key of the auditor, and how it was pinned (config = LEDGER_VERIFIER_KEY; announced = a rotation followed). */
  verifierKey: z.string().nullable(),
  keyPinnedBy: z.enum(['config', 'first_use', 'announced']).nullable(),
  lastRunAt: z.string().nullable(),
  /** Why the last run stopped without a verdict (e.g. the assessment service unreachable); null when it completed. */
  lastError: z.string().nullable(),
  latestCheckpoint: z
    .object({ origin: z.string(), size: z.number().int(), rootHash: z.string(), seenAt: z.string() })
    .nullable(),
  /** The caller organization's receipts by state: pending (not yet checked), included, failed, unlogged (no log index). */
  receipts: z.object({
    pending: z.number().int(),
    included: z.number().int(),
    failed: z.number().int(),
    unlogged: z.number().int(),
  }),
  failures: z.array(
    z.object({
      id: z.number().int(),
      kind: z.string(),
      detail: z.string(),
      evidenceId: z.string().nullable(),
      assessmentEvidenceId: z.string().nullable(),
      logIndex: z.number().int().nullable(),
      checkpointSize: z.number().int().nullable(),
      observedAt: z.string(),
    }),
  ),
});

export function registerLedgerWatchRoutes(app: Server, deps: { repository: LedgerWatchRepository }): void {
  app.get(
    '/v1/ledger-watch/status',
    {
      config: allowRoles('auditee', 'pipeline', 'admin'),
      schema: {
        tags: ['ledger-watch'],
        summary: "What the collector's watcher found when it last checked the auditor's evidence ledger",
        security: [{ bearer: [] }],
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }),
        response: { 200: statusSchema, ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { org } = principalOf(request);
      const [state, latest, receipts, failures] = await Promise.all([
        deps.repository.state(),
        deps.repository.latestCheckpoint(),
        deps.repository.receiptCounts(org),
        deps.repository.failures(org, request.query.limit),
      ]);
      return {
        ok: failures.length === 0,
        verifierKey: state.verifierKey,
        keyPinnedBy: state.pinnedBy,
        lastRunAt: state.lastRunAt?.toISOString() ?? null,
        lastError: state.lastError,
        latestCheckpoint: latest
          ? {
              origin: latest.origin,
              size: latest.size,
              rootHash: latest.rootHash.toString('base64'),
              seenAt: latest.seenAt.toISOString(),
            }
          : null,
        receipts,
        failures: failures.map((failure) => ({
          id: failure.id,
          kind: failure.kind,
          detail: failure.detail,
          evidenceId: failure.evidenceId,
          assessmentEvidenceId: failure.assessmentEvidenceId,
          logIndex: failure.logIndex,
          checkpointSize: failure.checkpointSize,
          observedAt: failure.observedAt.toISOString(),
        })),
      };
    },
  );
}
