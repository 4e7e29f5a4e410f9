export { parseConfig, ConfigError } from './parse-config.ts';
export { envBoolean, envPort, envDuration } from './env-types.ts';
export { serviceEnvSchema, type ServiceEnv } from './service-env.ts';
export { envJson, envJwks } from './json-env.ts';
