import type { Server } from './create-server.ts';

/**
 * Closes the app (and through its onClose hooks the workers, queues and pools) on SIGINT/SIGTERM. A second signal,
 * or a close that takes longer than the grace period, ends the process at once.
 */
export function closeOnSignals(
  closables: { close: () => Promise<unknown>; log: Server['log'] },
  options: { graceMs?: number } = {},
): void {
  let closing = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (closing) {
      closables.log.warn({ signal }, 'second signal, exiting now');
      process.exit(1);
    }
    closing = true;
    closables.log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      closables.log.error('graceful shutdown timed out');
      process.exit(1);
    }, options.graceMs ?? 15_000);
    timer.unref();
    closables.close().then(
      () => {
        closables.log.info('stopped');
        process.exitCode = 0;
      },
      (error: unknown) => {
        closables.log.error({ err: error }, 'error while shutting down');
        process.exitCode = 1;
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}
