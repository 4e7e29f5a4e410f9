export { startPlatform, type Platform, type PlatformOptions, type ServiceKey } from './start-platform.ts';
export { freePort } from './free-port.ts';
