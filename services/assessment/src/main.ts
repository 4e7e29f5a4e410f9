import { closeOnSignals } from '@cabc/http-kit';
import { reportToSupervisor } from '@cabc/service-kit';
import { loadAssessmentConfig } from './config.ts';
import { startAssessment } from './service.ts';

const service = await startAssessment(loadAssessmentConfig());
closeOnSignals(
  { close: service.close, log: service.app.log },
  {
    exit: (code) => process.exit(code),
    closed: (code) => {
      process.exitCode = code;
    },
  },
);
reportToSupervisor({ url: service.url });
