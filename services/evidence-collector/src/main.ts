import { closeServiceOnSignals } from '@cabc/http-kit';
import { reportToSupervisor } from '@cabc/service-kit';
import { loadCollectorConfig } from './config.ts';
import { startCollector } from './service.ts';

const service = await startCollector(loadCollectorConfig());
closeServiceOnSignals(service, { process });
reportToSupervisor({ url: service.url });
