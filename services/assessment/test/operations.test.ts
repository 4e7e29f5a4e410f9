import { describeOperations } from '@cabc/testing';
import { assessmentReplica, startAssessmentApp } from './support/assessment-app.ts';

describeOperations({
  name: 'assessment',
  start: () => startAssessmentApp(),
  expectedRoutes: [
    'GET /.well-known/jwks.json',
    'GET /healthz',
    'GET /readyz',
    'GET /v1/evidence/{id}',
    'GET /v1/toes/{toeId}/posture',
    'POST /v1/toes/{toeId}/scopes/{version}/approve',
    'POST /v1/evidence',
  ],
  appWithRedis: (fixture, redis) => assessmentReplica(fixture.config, { redis }),
});
