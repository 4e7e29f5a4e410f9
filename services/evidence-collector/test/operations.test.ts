import { describeOperations } from '@cabc/testing';
import { collectorReplica, startCollectorApp } from './support/collector-app.ts';

describeOperations({
  name: 'collector',
  start: () => startCollectorApp(),
  expectedRoutes: [
    'GET /.well-known/jwks.json',
    'GET /healthz',
    'GET /readyz',
    'GET /v1/evidence',
    'GET /v1/evidence/{id}',
    'GET /v1/evidence/{id}/envelope',
    'GET /v1/keys',
    'GET /v1/raw/{sha256}',
    'GET /v1/submissions/{id}',
    'POST /v1/evidence',
    'POST /v1/keys/next',
    'POST /v1/keys/rotate',
  ],
  appWithRedis: (fixture, redis) => collectorReplica(fixture.config, { redis }),
});
