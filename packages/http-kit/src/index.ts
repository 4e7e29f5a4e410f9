export {
  HttpProblem,
  BadRequestProblem,
  UnauthorizedProblem,
  ForbiddenProblem,
  NotFoundProblem,
  ConflictProblem,
  UnprocessableProblem,
  TooManyRequestsProblem,
  type ProblemField,
} from './problems.ts';
export { problemSchema, problemResponses } from './problem-schema.ts';
export { createServer, BEARER_AUTHENTICATION, type ServerOptions, type Server } from './create-server.ts';
export { registerHealthRoutes, type ReadinessCheck } from './health-routes.ts';
export { closeOnSignals } from './close-on-signals.ts';
export { registerJwksRoute } from './jwks-route.ts';
export type { ZodTypeProvider } from 'fastify-type-provider-zod';
export { encodeCursor, decodeCursor, pageQuerySchema, pageSchema } from './cursor.ts';
export { registerMetrics, type MetricsRouteOptions } from './metrics-route.ts';
export { registerEvidenceMetrics, type EvidenceMetrics } from './evidence-metrics.ts';
export { publicRoute, type RouteAccess } from './route-access.ts';
export { installJsonBodyParser, UnstorableTextProblem, notUtf8Problem } from './json-body.ts';
export {
  httpsServerOptions,
  installOutboundTls,
  requireClientCertificates,
  hasVerifiedClientCertificate,
  type TlsSettings,
} from './tls.ts';
