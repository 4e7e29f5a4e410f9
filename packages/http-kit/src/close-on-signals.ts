import type { Server } from './create-server.ts';

/**
 * Closes the app (and through its onClose hooks the workers, queues and pools) on SIGINT/SIGTERM. A second signal,
 * or a close that takes longer than the grace period, calls `exit`; a finished close calls `closed` with the exit code.
 * The process's main.ts passes both (process.exit, process.exitCode): only a main decides how its process ends.
 */
export function closeOnSignals(
  closables: { close: () => Promise<unknown>; log: Server['log'] },
  options: { exit: (code: number) => void; closed: (code: number) => void; graceMs?: number },
): void {
  let closing = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (closing) {
      closables.log.warn({ signal }, 'second signal, exiting now');
      options.exit(1);
    }
    closing = true;
    closables.log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      closables.log.error('graceful shutdown timed out');
      options.exit(1);
    }, options.graceMs ?? 15_000);
    timer.unref();
    closables.close().then(
      () => {
        closables.log.info('stopped');
        options.closed(0);
      },
      (error: unknown) => {
        closables.log.error({ err: error }, 'error while shutting down');
        options.closed(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}
