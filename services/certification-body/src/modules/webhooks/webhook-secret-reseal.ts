import { sql, type Kysely } from 'kysely';
import { sealWebhookSecret, unsealWebhookSecret } from './webhook-secret.ts';

/**
 * Rotation of the webhook sealing secret (docs/keys.md): every subscription's secret re-sealed under `newSecret`, in
 * one transaction (v1 values become v2 on the way). The subscribers' secrets do not change. Returns how many.
 */
export async function resealWebhookSecrets(db: Kysely<any>, oldSecret: string, newSecret: string): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const { rows } = await sql<{ id: string; sealed_secret: string }>`
      select id, sealed_secret from webhook_subscriptions order by id for update`.execute(trx);
    for (const row of rows) {
      const secret = unsealWebhookSecret(row.sealed_secret, oldSecret, row.id);
      await sql`update webhook_subscriptions set sealed_secret = ${sealWebhookSecret(secret, newSecret, row.id)}
                where id = ${row.id}`.execute(trx);
    }
    return rows.length;
  });
}
