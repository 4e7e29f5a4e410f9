export { openInfrastructure, type Infrastructure } from './open-infrastructure.ts';
export { listen, type RunningService } from './running-service.ts';
