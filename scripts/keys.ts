// `pnpm keys <list|prepare|rotate|reseal|reseal-webhooks> --service <name>`: signing key management on a service's own
// database, with the service's DATABASE_URL and KEY_ENCRYPTION_SECRET (docs/keys.md). Running services pick a rotation
// up within seconds (they re-read the active key id).
import { runKeysCommand } from '@cabc/key-store';
import { createDatabase } from '@cabc/service-kit';
import { resealWebhookSecrets } from '../services/certification-body/src/modules/webhooks/webhook-secret-reseal.ts';

const args = process.argv.slice(2);
if (args[0] === 'reseal-webhooks') {
  // The certification body's webhook secrets: WEBHOOK_ENCRYPTION_SECRET (or KEY_ENCRYPTION_SECRET) → NEW_WEBHOOK_ENCRYPTION_SECRET.
  const current = process.env.WEBHOOK_ENCRYPTION_SECRET ?? process.env.KEY_ENCRYPTION_SECRET;
  const next = process.env.NEW_WEBHOOK_ENCRYPTION_SECRET;
  if (!process.env.DATABASE_URL || !current || !next || next.length < 16) {
    process.stderr.write(
      'pnpm keys reseal-webhooks: set DATABASE_URL (the certification body), WEBHOOK_ENCRYPTION_SECRET or KEY_ENCRYPTION_SECRET, and NEW_WEBHOOK_ENCRYPTION_SECRET (≥ 16 characters)\n',
    );
    process.exit(2);
  }
  const db = createDatabase<any>(process.env.DATABASE_URL, { max: 1 });
  try {
    const count = await resealWebhookSecrets(db, current, next);
    process.stdout.write(
      `re-sealed ${count} webhook secret(s); restart the certification body with WEBHOOK_ENCRYPTION_SECRET set to the new secret\n`,
    );
  } finally {
    await db.destroy();
  }
  process.exit(0);
}
const result = await runKeysCommand(args, process.env, (url) => createDatabase<any>(url, { max: 1 }));
(result.code === 0 ? process.stdout : process.stderr).write(`${result.output}\n`);
process.exit(result.code);
