import { closeServiceOnSignals } from '@cabc/http-kit';
import { reportToSupervisor } from '@cabc/service-kit';
import { loadAssessmentConfig } from './config.ts';
import { startAssessment } from './service.ts';

const service = await startAssessment(loadAssessmentConfig());
closeServiceOnSignals(service, { process });
reportToSupervisor({ url: service.url });
