export { freePort } from './free-port.ts';
export { hasRedisServerBinary, startRedisServer, type LocalRedis } from './redis-server.ts';
export { startEmbeddedPostgres, type LocalPostgres } from './embedded-postgres.ts';
export {
  MissingInfrastructureError,
  providePostgres,
  provideRedis,
  type ProvidedServer,
  type ProvideOptions,
} from './provide.ts';
export {
  makeLocalCertificates,
  CERTIFICATE_NAMES,
  type CertificateName,
  type LocalCertificates,
} from './local-certificates.ts';
