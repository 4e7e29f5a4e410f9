import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { SigningKeyStore } from '@cabc/crypto';
import { createServer, registerHealthRoutes, registerJwksRoute, type Server } from '@cabc/http-kit';
import { createOutboxProducer, OutboxRepository } from '@cabc/outbox';
import type { QueueContext } from '@cabc/queues';
import { sql } from 'kysely';
import { createEvidenceRepository } from './modules/evidence/evidence.repository.ts';
import { registerEvidenceRoutes } from './modules/evidence/evidence.routes.ts';
import { createEvidenceService } from './modules/evidence/evidence.service.ts';

export interface CollectorDeps {
  logger: Logger;
  db: Kysely<any>;
  queues: QueueContext;
  keys: SigningKeyStore;
  assessmentUrl: string;
  bodyLimitBytes: number;
}

export async function buildApp(deps: CollectorDeps): Promise<Server> {
  const app = await createServer({
    title: 'CABC evidence collector',
    description: 'Auditee side: ML pipelines submit evidence; it is signed and delivered to the auditor without loss.',
    version: '0.1.0',
    logger: deps.logger,
    bodyLimitBytes: deps.bodyLimitBytes,
  });
  const outbox = new OutboxRepository(deps.db);
  const producer = createOutboxProducer('collector.outbox', deps.queues, deps.logger);
  app.addHook('onClose', () => producer.close());

  registerHealthRoutes(app, [
    { name: 'postgres', check: async () => (await sql`select 1`.execute(deps.db), true) },
    { name: 'redis', check: async () => (await deps.queues.connection.ping()) === 'PONG' },
  ]);
  registerJwksRoute(app, () => deps.keys.jwks());
  registerEvidenceRoutes(
    app,
    createEvidenceService({
      evidence: createEvidenceRepository(deps.db),
      outbox,
      producer,
      keys: deps.keys,
      assessmentUrl: deps.assessmentUrl,
    }),
  );
  return app;
}
