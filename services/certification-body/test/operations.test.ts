import { createJwtVerifier } from '@cabc/crypto';
import { describeOperations } from '@cabc/testing';
import { certificationReplica, startCertificationApp } from './support/certification-app.ts';

describeOperations({
  name: 'certification body',
  start: () => startCertificationApp(),
  expectedRoutes: [
    'GET /.well-known/jwks.json',
    'GET /healthz',
    'GET /readyz',
    'GET /v1/certificates',
    'GET /v1/certificates/{id}',
    'POST /v1/callbacks/assessment',
  ],
  // GET /v1/status/* (Fastify's route tree prints it as `*`) answers `unknown` for ids the router cannot take: hidden.
  undocumentedRoutes: ['GET *'],
  appWithRedis: (fixture, redis) =>
    certificationReplica(fixture.config, {
      redis,
      verifyAuditorJwt: createJwtVerifier({ jwks: { keys: [{ ...fixture.auditorKey.publicJwk }] } }),
    }),
});
