import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resealWebhookSecrets } from '../src/modules/webhooks/webhook-secret-reseal.ts';
import { unsealWebhookSecret } from '../src/modules/webhooks/webhook-secret.ts';
import { bearer, startCertificationApp, TEST_SECRET, type CertificationFixture } from './support/certification-app.ts';

describe('rotation of the webhook sealing secret', () => {
  let fixture: CertificationFixture;
  beforeAll(async () => {
    fixture = await startCertificationApp({ env: { WEBHOOK_ALLOW_LOOPBACK: 'true' } });
  });
  afterAll(async () => {
    await fixture?.dispose();
  });

  it('re-seals every subscription secret under the new secret; the secrets themselves do not change', async () => {
    const created = await fixture.app.inject({
      method: 'POST',
      url: '/v1/webhooks/subscriptions',
      headers: await bearer('auditee', 'acme'),
      payload: { url: 'http://127.0.0.1:9/hooks' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const { id, secret } = created.json() as { id: string; secret: string };
    const sealed = async () =>
      (
        await sql<{ sealed_secret: string }>`select sealed_secret from webhook_subscriptions where id = ${id}`.execute(
          fixture.infra.db,
        )
      ).rows[0]!.sealed_secret;
    expect(unsealWebhookSecret(await sealed(), TEST_SECRET, id)).toBe(secret);

    expect(await resealWebhookSecrets(fixture.infra.db, TEST_SECRET, 'the-new-webhook-sealing-secret')).toBe(1);
    const resealed = await sealed();
    expect(unsealWebhookSecret(resealed, 'the-new-webhook-sealing-secret', id)).toBe(secret);
    expect(() => unsealWebhookSecret(resealed, TEST_SECRET, id)).toThrow();
  });
});
