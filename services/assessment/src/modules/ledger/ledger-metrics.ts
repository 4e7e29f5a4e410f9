import { Gauge } from 'prom-client';
import { withinScrapeTime, type MetricsRegistry } from '@cabc/service-kit';
import type { LedgerRepository } from './ledger.repository.ts';

const SCRAPE_TIMEOUT_MS = 2_000;

/**
 * The evidence ledger seen by Prometheus, read at scrape time: its size, the size and age of the newest signed
 * checkpoint. A checkpoint is signed only when the log grew, so "stale" is a checkpoint older than a few intervals
 * while the log is larger than it (the alert rule in docs/operations.md).
 */
export function registerLedgerMetrics(registry: MetricsRegistry, ledger: LedgerRepository): void {
  const read = () =>
    withinScrapeTime(SCRAPE_TIMEOUT_MS, async () => {
      const [size, checkpoint] = await Promise.all([ledger.size(), ledger.latestCheckpoint()]);
      return { size, checkpoint };
    });
  new Gauge({
    name: 'cabc_ledger_size',
    help: 'Leaves in the evidence ledger',
    registers: [registry],
    async collect() {
      const state = await read();
      if (state) this.set(state.size);
    },
  });
  new Gauge({
    name: 'cabc_ledger_checkpoint_size',
    help: 'Tree size of the newest signed checkpoint (0 before the first)',
    registers: [registry],
    async collect() {
      const state = await read();
      if (state) this.set(state.checkpoint?.size ?? 0);
    },
  });
  new Gauge({
    name: 'cabc_ledger_checkpoint_age_seconds',
    help: 'Age of the newest signed checkpoint (absent before the first)',
    registers: [registry],
    async collect() {
      const state = await read();
      this.reset();
      if (state?.checkpoint) this.set(Math.max(0, (Date.now() - state.checkpoint.createdAt.getTime()) / 1000));
    },
  });
}
