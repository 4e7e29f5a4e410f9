import { closeServiceOnSignals } from '@cabc/http-kit';
import { reportToSupervisor } from '@cabc/service-kit';
import { loadCertificationConfig } from './config.ts';
import { startCertificationBody } from './service.ts';

const service = await startCertificationBody(loadCertificationConfig());
closeServiceOnSignals(service, { process });
reportToSupervisor({ url: service.url });
