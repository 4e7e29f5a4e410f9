import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { withinScrapeTime } from '@cabc/service-kit';
import type { OutboxMessage, OutboxRepository } from './outbox.repository.ts';

export type DeliveryAttemptOutcome = 'delivered' | 'rejected' | 'retry' | 'dead_letter';

export interface OutboxDeliveryMetrics {
  attempted: (message: Pick<OutboxMessage, 'topic' | 'createdAt'>, outcome: DeliveryAttemptOutcome) => void;
}

const SCRAPE_TIMEOUT_MS = 2_000;

/**
 * The outbox seen by Prometheus: the backlog per topic and the age of its oldest pending row (read from Postgres at
 * scrape time: they stay right however many replicas deliver), each delivery attempt by outcome, and the lag from
 * writing a row to its delivery. A stuck receiver shows as a growing age; a failing one as `retry`/`rejected`.
 */
export function registerOutboxMetrics(registry: Registry, outbox: OutboxRepository): OutboxDeliveryMetrics {
  const read = () => withinScrapeTime(SCRAPE_TIMEOUT_MS, () => outbox.pendingByTopic());
  new Gauge({
    name: 'cabc_outbox_pending',
    help: 'Outbox rows not yet delivered, by topic',
    labelNames: ['topic'],
    registers: [registry],
    async collect() {
      const rows = await read();
      if (!rows) return;
      this.reset();
      for (const row of rows) this.set({ topic: row.topic }, row.pending);
    },
  });
  new Gauge({
    name: 'cabc_outbox_oldest_pending_age_seconds',
    help: 'Age of the oldest outbox row not yet delivered, by topic',
    labelNames: ['topic'],
    registers: [registry],
    async collect() {
      const rows = await read();
      if (!rows) return;
      this.reset();
      for (const row of rows) this.set({ topic: row.topic }, Math.max(0, (Date.now() - row.oldest.getTime()) / 1000));
    },
  });
  const attempts = new Counter({
    name: 'cabc_outbox_delivery_attempts_total',
    help:
      'Outbox delivery attempts by topic and outcome (delivered; rejected: refused for good; retry: will retry; dead_letter: retries ran out)',
    labelNames: ['topic', 'outcome'],
    registers: [registry],
  });
  const lag = new Histogram({
    name: 'cabc_outbox_delivery_lag_seconds',
    help: 'Time from writing an outbox row to its delivery, by topic',
    labelNames: ['topic'],
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120, 600, 3600],
    registers: [registry],
  });
  return {
    attempted(message, outcome) {
      attempts.inc({ topic: message.topic, outcome });
      if (outcome === 'delivered')
        lag.observe({ topic: message.topic }, (Date.now() - message.createdAt.getTime()) / 1000);
    },
  };
}
