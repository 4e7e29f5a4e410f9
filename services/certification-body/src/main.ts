import { closeOnSignals } from '@cabc/http-kit';
import { reportToSupervisor } from '@cabc/service-kit';
import { loadCertificationConfig } from './config.ts';
import { startCertificationBody } from './service.ts';

const service = await startCertificationBody(loadCertificationConfig());
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
