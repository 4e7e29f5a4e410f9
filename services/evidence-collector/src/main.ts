import { closeOnSignals } from '@cabc/http-kit';
import { reportToSupervisor, stopTracing } from '@cabc/service-kit';
import { loadCollectorConfig } from './config.ts';
import { startCollector } from './service.ts';

const service = await startCollector(loadCollectorConfig());
closeOnSignals(
  {
    // The spans still batched are exported before the process ends.
    close: async () => {
      await service.close();
      await stopTracing();
    },
    log: service.app.log,
  },
  {
    exit: (code) => process.exit(code),
    closed: (code) => {
      process.exitCode = code;
    },
  },
);
reportToSupervisor({ url: service.url });
