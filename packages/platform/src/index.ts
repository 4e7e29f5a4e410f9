export { startPlatform, type Platform, type PlatformOptions, type ServiceKey } from './start-platform.ts';
export { freePort } from './free-port.ts';
export { api } from './api-client.ts';
export { certifyToe, accuracyRequirement, type CertifiedToe } from './certify-toe.ts';
