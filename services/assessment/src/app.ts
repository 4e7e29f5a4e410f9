import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { SigningKeyStore, TrustedKeySet } from '@cabc/crypto';
import { createServer, registerHealthRoutes, registerJwksRoute, type Server } from '@cabc/http-kit';
import { TypedQueue, type QueueContext } from '@cabc/queues';
import { createEvaluationRepository } from './modules/evaluation/evaluation.repository.ts';
import type { Requirement } from './modules/evaluation/requirements.ts';
import { createEvidenceRepository } from './modules/evidence/evidence.repository.ts';
import { registerEvidenceRoutes } from './modules/evidence/evidence.routes.ts';
import { createEvidenceIngestService } from './modules/evidence/evidence.service.ts';
import { registerPostureRoutes } from './modules/posture/posture.routes.ts';
import { evaluationJobOptions } from './workers/evaluation-job-options.ts';

export interface AssessmentDeps {
  logger: Logger;
  db: Kysely<any>;
  queues: QueueContext;
  keys: SigningKeyStore;
  trustedCollectorKeys: TrustedKeySet;
  requirements: readonly Requirement[];
  issuer: string;
  maxFutureSkewMs: number;
  bodyLimitBytes: number;
}

export async function buildApp(deps: AssessmentDeps): Promise<Server> {
  const app = await createServer({
    title: 'CABC assessment',
    description: 'Auditor side: verifies signed evidence, keeps the evidence ledger, evaluates requirements, reports posture.',
    version: '0.1.0',
    logger: deps.logger,
    bodyLimitBytes: deps.bodyLimitBytes,
  });
  const evaluateQueue = new TypedQueue('assessment.evaluate', deps.queues);
  app.addHook('onClose', () => evaluateQueue.close());

  registerHealthRoutes(app, [
    { name: 'postgres', check: async () => (await sql`select 1`.execute(deps.db), true) },
    { name: 'redis', check: async () => (await deps.queues.connection.ping()) === 'PONG' },
  ]);
  registerJwksRoute(app, () => deps.keys.jwks());
  await registerEvidenceRoutes(
    app,
    createEvidenceIngestService({
      evidence: createEvidenceRepository(deps.db),
      trustedCollectorKeys: deps.trustedCollectorKeys,
      keys: deps.keys,
      issuer: deps.issuer,
      maxFutureSkewMs: deps.maxFutureSkewMs,
      onAccepted: async (evidence) => {
        try {
          await evaluateQueue.add({ toe: evidence.toe, evidenceId: evidence.id }, evaluationJobOptions(evidence.id));
        } catch (error) {
          app.log.warn({ err: error, evidenceId: evidence.id }, 'could not enqueue evaluation; the reconciler will');
        }
      },
    }),
  );
  registerPostureRoutes(app, { evaluations: createEvaluationRepository(deps.db), requirements: deps.requirements });
  return app;
}
