import { registerSchemaRoutes } from './modules/schemas/schemas.routes.ts';
import { type Kysely, sql } from 'kysely';
import type { Logger } from 'pino';
import fastifyMultipart from '@fastify/multipart';
import { registerAuthentication, type TokenVerifier } from '@cabc/auth';
import type { SigningKeyStore } from '@cabc/key-store';
import { createServer, isOperationsPath, registerHealthRoutes, registerJwksRoute, type Server } from '@cabc/http-kit';
import { createOutboxProducer, OutboxRepository } from '@cabc/outbox';
import type { QueueContext } from '@cabc/service-kit';
import { createAccess } from './modules/access/access.ts';
import { createEvidenceRepository } from './modules/evidence/evidence.repository.ts';
import { registerEvidenceRoutes } from './modules/evidence/evidence.routes.ts';
import { createEvidenceService } from './modules/evidence/evidence.service.ts';
import { createCollectorKeys } from './modules/keys/collector-keys.ts';
import { registerKeyRoutes } from './modules/keys/keys.routes.ts';
import { createLedgerWatchRepository, registerLedgerWatchRoutes } from './modules/ledger-watch/ledger-watch.module.ts';

export interface CollectorDeps {
  logger: Logger;
  db: Kysely<any>;
  queues: QueueContext;
  keys: SigningKeyStore;
  /** The secret the key store encrypts with (KEY_ENCRYPTION_SECRET), for keys generated ahead of a rotation. */
  keyEncryptionSecret: string;
  /** How long the active key id is trusted before the database is asked again (another replica may rotate). */
  keyRefreshMs?: number;
  assessmentUrl: string;
  bodyLimitBytes: number;
  /** Verifies bearer tokens (AUTH_* variables). */
  verifyToken: TokenVerifier;
  /** The organization operating the collector (COLLECTOR_ORG). */
  collectorOrg?: string | undefined;
}

/** Paths anyone may read: health, API documentation, the public signing keys, the evidence JSON Schemas. */
export function isPublicPath(path: string): boolean {
  return isOperationsPath(path) || path.startsWith('/v1/schemas/');
}

export async function buildApp(deps: CollectorDeps): Promise<Server> {
  const app = await createServer({
    title: 'CABC evidence collector',
    description:
      'Auditee side: ML pipelines submit evidence (unified JSON or their tools’ own files); each item is signed and delivered to the auditor without loss.',
    version: '0.1.0',
    logger: deps.logger,
    bodyLimitBytes: deps.bodyLimitBytes,
  });
  // Bodies arrive as bytes: a native tool file is kept and digested exactly as sent, and the unified JSON is parsed
  // by the adapters' safe parser (depth limit, no prototype keys). Multipart is streamed by its plugin.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  await app.register(fastifyMultipart, { throwFileSizeLimit: true });
  registerAuthentication(app, deps.verifyToken, { publicPaths: isPublicPath });

  const outbox = new OutboxRepository(deps.db);
  const producer = createOutboxProducer('collector.outbox', deps.queues, deps.logger);
  app.addHook('onClose', () => producer.close());
  const keys = createCollectorKeys({
    db: deps.db,
    store: deps.keys,
    secret: deps.keyEncryptionSecret,
    refreshMs: deps.keyRefreshMs,
  });
  const access = createAccess({ collectorOrg: deps.collectorOrg });

  registerHealthRoutes(app, [
    { name: 'postgres', check: async () => (await sql`select 1`.execute(deps.db), true) },
    { name: 'redis', check: async () => (await deps.queues.connection.ping()) === 'PONG' },
  ]);
  registerJwksRoute(app, () => keys.jwks());
  registerSchemaRoutes(app);
  registerEvidenceRoutes(
    app,
    createEvidenceService({
      evidence: createEvidenceRepository(deps.db),
      outbox,
      producer,
      keys,
      assessmentUrl: deps.assessmentUrl,
    }),
    access,
    { bodyLimitBytes: deps.bodyLimitBytes },
  );
  registerKeyRoutes(app, keys, access);
  registerLedgerWatchRoutes(app, { repository: createLedgerWatchRepository(deps.db) });
  return app;
}
