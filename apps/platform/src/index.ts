export { startPlatform, type Platform, type PlatformOptions, type ServiceKey } from './start-platform.ts';
export { freePort } from '@cabc/local-servers';
export { api } from './api-client.ts';
export { certifyToe, accuracyRequirement, type CertifiedToe } from './certify-toe.ts';
export {
  startPlatformProcesses,
  type PlatformProcesses,
  type PlatformProcessesOptions,
} from './start-platform-processes.ts';
export { ChildStartError, Supervisor, type ChildSpec, type ChildState } from './supervisor/supervisor.ts';
