import { expect } from 'vitest';
import { generateSigningKey } from '@cabc/crypto';
import { createDatabase } from '@cabc/service-kit';
import { describeShutdown, waitFor } from '@cabc/testing';
import { loadAssessmentConfig } from '../src/config.ts';
import { startAssessment } from '../src/service.ts';
import { assessmentEnv, evidenceStatement, signedEnvelope } from './support/assessment-app.ts';
import { seedApprovedToe } from './support/seed.ts';

async function postureRows(url: string): Promise<number> {
  const db = createDatabase<any>(url, { max: 1 });
  try {
    const row = await db
      .selectFrom('postures')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow();
    return Number(row.count);
  } finally {
    await db.destroy();
  }
}

describeShutdown({
  name: 'assessment',
  database: 'assessment',
  // The evaluation and outbox workers.
  workerConnections: 2,
  async start({ databaseUrl, prefix, env }) {
    const collectorKey = await generateSigningKey();
    const seeding = createDatabase<any>(databaseUrl, { max: 1 });
    await seedApprovedToe(seeding, 'toe-shutdown', [collectorKey]);
    await seeding.destroy();
    const service = await startAssessment(
      loadAssessmentConfig(assessmentEnv(databaseUrl, prefix, await generateSigningKey(), env)),
    );
    return {
      service,
      async exercise() {
        const accepted = await fetch(`${service.url}/v1/evidence`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: signedEnvelope(evidenceStatement({ toe: 'toe-shutdown' }), collectorKey),
        });
        expect(accepted.status).toBe(201);
        // The evaluation worker ran: the posture exists (its callback to an unreachable certification body keeps retrying).
        await waitFor('the posture', async () => (await postureRows(databaseUrl)) === 1);
      },
    };
  },
});
