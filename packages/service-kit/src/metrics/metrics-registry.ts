import { collectDefaultMetrics, Registry } from 'prom-client';

export type { Registry as MetricsRegistry } from 'prom-client';

/**
 * One Prometheus registry per service instance (several run in one test process), every series labelled with the
 * service, with Node's process metrics: CPU, memory, GC, handles and the event-loop delay
 * (`nodejs_eventloop_lag_*_seconds`, sampled every 20 ms).
 */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
  return registry;
}

/** A collector's read at scrape time, given up after `ms` so that a slow database or Redis never hangs a scrape. */
export async function withinScrapeTime<T>(ms: number, read: () => Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      read(),
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), ms);
      }),
    ]);
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}
