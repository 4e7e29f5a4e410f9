import { stopTracing } from '@cabc/service-kit';
import type { Server } from './create-server.ts';

/**
 * Closes the app (and through its onClose hooks the workers, queues and pools) on SIGINT/SIGTERM. A second signal,
 * or a close that takes longer than the grace period, ends it at once. The process is given by the service's main.ts
 * (`{ process }`): only a main decides how its process ends, and a test can hand in a stand-in.
 */
export function closeOnSignals(
  closables: { close: () => Promise<unknown>; log: Server['log'] },
  options: { process: Pick<NodeJS.Process, 'exit' | 'exitCode' | 'once'>; graceMs?: number },
): void {
  let closing = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (closing) {
      closables.log.warn({ signal }, 'second signal, exiting now');
      options.process.exit(1);
    }
    closing = true;
    closables.log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      closables.log.error('graceful shutdown timed out');
      options.process.exit(1);
    }, options.graceMs ?? 15_000);
    timer.unref();
    closables.close().then(
      () => {
        closables.log.info('stopped');
        options.process.exitCode = 0;
      },
      (error: unknown) => {
        closables.log.error({ err: error }, 'error while shutting down');
        options.process.exitCode = 1;
      },
    );
  };
  options.process.once('SIGINT', shutdown);
  options.process.once('SIGTERM', shutdown);
}

/** A service process's shutdown: the service, then the spans still batched (exported before the process ends). */
export function closeServiceOnSignals(
  service: { close: () => Promise<unknown>; app: { log: Server['log'] } },
  options: { process: Pick<NodeJS.Process, 'exit' | 'exitCode' | 'once'>; graceMs?: number },
): void {
  const close = async () => {
    await service.close();
    await stopTracing();
  };
  closeOnSignals({ close, log: service.app.log }, options);
}
