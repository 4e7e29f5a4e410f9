import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { JwtVerifier, SigningKeyStore } from '@cabc/crypto';
import { createServer, registerHealthRoutes, registerJwksRoute, type Server } from '@cabc/http-kit';
import type { QueueContext } from '@cabc/queues';
import { registerCallbackRoutes } from './modules/callbacks/callbacks.routes.ts';
import { createCallbacksService } from './modules/callbacks/callbacks.service.ts';
import { createReceivedCallbacksRepository } from './modules/callbacks/received-callbacks.repository.ts';
import { registerCertificateRoutes } from './modules/certificates/certificates.routes.ts';
import type { CertificationRepository } from './modules/certifications/certification.repository.ts';
import type { CertificationService } from './modules/certifications/certification.service.ts';

export interface CertificationBodyDeps {
  logger: Logger;
  db: Kysely<any>;
  queues: QueueContext;
  keys: SigningKeyStore;
  verifyAuditorJwt: JwtVerifier;
  auditorIssuer: string;
  callbackAudience: string;
  callbackMaxAgeMs: number;
  certifications: CertificationRepository;
  certification: CertificationService;
  bodyLimitBytes: number;
}

export async function buildApp(deps: CertificationBodyDeps): Promise<Server> {
  const app = await createServer({
    title: 'CABC certification body',
    description: 'Acts on verified assessment callbacks: issues, suspends, reinstates and revokes signed certificates.',
    version: '0.1.0',
    logger: deps.logger,
    bodyLimitBytes: deps.bodyLimitBytes,
  });
  registerHealthRoutes(app, [
    { name: 'postgres', check: async () => (await sql`select 1`.execute(deps.db), true) },
    { name: 'redis', check: async () => (await deps.queues.connection.ping()) === 'PONG' },
  ]);
  registerJwksRoute(app, () => deps.keys.jwks());
  await registerCallbackRoutes(
    app,
    createCallbacksService({
      verify: deps.verifyAuditorJwt,
      audience: deps.callbackAudience,
      auditorIssuer: deps.auditorIssuer,
      maxAgeMs: deps.callbackMaxAgeMs,
      received: createReceivedCallbacksRepository(deps.db),
      certifications: deps.certifications,
      certification: deps.certification,
    }),
  );
  registerCertificateRoutes(app, deps.certifications);
  return app;
}
