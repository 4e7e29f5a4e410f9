import { sql, type Kysely } from 'kysely';
import { Counter, Gauge, Histogram } from 'prom-client';
import { withinScrapeTime, type MetricsRegistry } from '@cabc/service-kit';
import type { AttemptOutcome } from '../webhooks/webhook-delivery.ts';

const SCRAPE_TIMEOUT_MS = 2_000;

export interface CertificationMetrics {
  /** Counts one webhook delivery attempt by its outcome; the lag of a delivered one from its event. */
  webhookAttempt: (outcome: AttemptOutcome, createdAt?: Date) => void;
}

/**
 * The certification body seen by Prometheus: certificates by state and webhook deliveries pending (count and oldest
 * age), read from Postgres at scrape time; webhook attempts by outcome and the delivery lag, counted as they happen.
 */
export function registerCertificationMetrics(registry: MetricsRegistry, db: Kysely<unknown>): CertificationMetrics {
  new Gauge({
    name: 'cabc_certificates',
    help: 'Certificates by state (issued, suspended, revoked, expired, withdrawn)',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const result = await withinScrapeTime(SCRAPE_TIMEOUT_MS, () =>
        sql<{ state: string; count: string }>`select state, count(*) as count from certificates group by state`.execute(
          db,
        ),
      );
      if (!result) return;
      this.reset();
      for (const row of result.rows) this.set({ state: row.state }, Number(row.count));
    },
  });
  const pendingWebhooks = () =>
    withinScrapeTime(SCRAPE_TIMEOUT_MS, async () => {
      const { rows } = await sql<{ pending: string; oldest: Date | null }>`
        select count(*) as pending, min(created_at) as oldest from webhook_deliveries where status = 'pending'`.execute(
        db,
      );
      return rows[0];
    });
  new Gauge({
    name: 'cabc_webhook_deliveries_pending',
    help: 'Webhook deliveries not yet delivered, failed for good or cancelled',
    registers: [registry],
    async collect() {
      const row = await pendingWebhooks();
      if (row) this.set(Number(row.pending));
    },
  });
  new Gauge({
    name: 'cabc_webhook_oldest_pending_age_seconds',
    help: 'Age of the oldest webhook delivery still pending (0 when none is)',
    registers: [registry],
    async collect() {
      const row = await pendingWebhooks();
      if (row) this.set(row.oldest ? Math.max(0, (Date.now() - new Date(row.oldest).getTime()) / 1000) : 0);
    },
  });
  const attempts = new Counter({
    name: 'cabc_webhook_attempts_total',
    help: 'Webhook delivery attempts by outcome (delivered, retry_scheduled, failed: given up, cancelled, not_due)',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const lag = new Histogram({
    name: 'cabc_webhook_delivery_lag_seconds',
    help: 'Time from the certificate event to the subscriber acknowledging its webhook',
    buckets: [0.05, 0.1, 0.5, 1, 5, 30, 120, 600, 3600, 21600],
    registers: [registry],
  });
  return {
    webhookAttempt(outcome, createdAt) {
      attempts.inc({ outcome });
      if (outcome === 'delivered' && createdAt) lag.observe(Math.max(0, (Date.now() - createdAt.getTime()) / 1000));
    },
  };
}
