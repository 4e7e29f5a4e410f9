import { closeOnSignals } from '@cabc/http-kit';
import { reportToSupervisor } from '@cabc/service-kit';
import { loadCollectorConfig } from './config.ts';
import { startCollector } from './service.ts';

const service = await startCollector(loadCollectorConfig());
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
