import { closeServiceOnSignals } from '@cabc/http-kit';
import { loadCollectorConfig } from './config.ts';
import { startCollector } from './service.ts';

const service = await startCollector(loadCollectorConfig());
closeServiceOnSignals(service, { process });
