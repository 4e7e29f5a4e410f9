import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '@cabc/service-kit';
import { createTestDatabase, waitFor, type TestDatabase } from '@cabc/testing';
import { createLiveFeed, type LiveEvent } from '../src/modules/reporting/live-feed.ts';
import { createReportingRepository } from '../src/modules/reporting/reporting.repository.ts';

describe('reporting live feed', () => {
  let database: TestDatabase;
  let db: ReturnType<typeof createDatabase<any>>;
  const logger = pino({ level: 'silent' });

  beforeAll(async () => {
    database = await createTestDatabase('assessment');
    db = createDatabase<any>(database.url, { max: 4 });
    for (const [id, org] of [
      ['toe_live_acme', 'acme'],
      ['toe_live_globex', 'globex'],
    ]) {
      await db
        .insertInto('toes')
        .values({
          id,
          org,
          name: id,
          business_purpose: 'x',
          field_of_operation: 'x',
          risk_class: 'high',
          owner: 'x',
          artifacts: JSON.stringify({ models: [], datasets: [] }),
          created_by: 'test',
        })
        .execute();
    }
  });
  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  const savePosture = (toe: string, posture: string, sequence: number) =>
    db
      .insertInto('postures')
      .values({ toe, posture, sequence, assessment_id: randomUUID(), updated_at: new Date() })
      .onConflict((oc) => oc.column('toe').doUpdateSet({ posture, sequence }))
      .execute();

  it('emits a posture change of the watched organization at once when the database notifies (LISTEN), and nothing of others', async () => {
    // An interval far longer than the test: only the notification can make the feed read.
    const feed = createLiveFeed({
      repository: createReportingRepository(db),
      logger,
      intervalMs: 600_000,
      databaseUrl: database.url,
    });
    const events: LiveEvent[] = [];
    const unsubscribe = await feed.subscribe({ org: 'acme', send: (event) => events.push(event) });
    await new Promise((resolve) => setTimeout(resolve, 200)); // the LISTEN connection
    const started = Date.now();
    await savePosture('toe_live_globex', 'non_compliant', 1);
    await savePosture('toe_live_acme', 'compliant', 1);
    const event = await waitFor('a posture event', () => events.find((entry) => entry.type === 'posture'), {
      timeoutMs: 5_000,
    });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(event.data).toMatchObject({
      toe: 'toe_live_acme',
      posture: 'compliant',
      previousPosture: null,
      sequence: 1,
    });
    expect(events.every((entry) => entry.data.toe === 'toe_live_acme')).toBe(true);
    unsubscribe();
    await feed.close();
  });

  it('finds changes on its timer without notifications, and stops reading when nobody listens', async () => {
    const feed = createLiveFeed({ repository: createReportingRepository(db), logger, intervalMs: 100 });
    const events: LiveEvent[] = [];
    const unsubscribe = await feed.subscribe({
      org: 'acme',
      toe: 'toe_live_acme',
      send: (event) => events.push(event),
    });
    await savePosture('toe_live_acme', 'non_compliant', 2);
    const event = await waitFor('a posture event', () => events.find((entry) => entry.type === 'posture'), {
      timeoutMs: 5_000,
    });
    expect(event.data).toMatchObject({ posture: 'non_compliant', previousPosture: 'compliant', sequence: 2 });
    unsubscribe();
    expect(feed.size).toBe(0);
    await feed.close();
  });

  it('indexes numeric measurements of accepted evidence for the charts, skipping what is not a number', async () => {
    const id = randomUUID();
    await db
      .insertInto('evidence')
      .values({
        id,
        envelope_sha256: 'e'.repeat(64),
        statement_sha256: 's'.repeat(64),
        envelope: '{}',
        toe: 'toe_live_acme',
        kind: 'performance',
        keyid: 'k',
        subjects: JSON.stringify([]),
        predicate: JSON.stringify({
          context: { dataset: 'holdout', split: 'test' },
          measurements: [
            { name: 'accuracy', value: 0.91 },
            { name: 'label', value: 'v2' },
            { name: 'f1', value: 0.8, slice: 'age>60' },
            { name: 'huge', value: 1e308 },
          ],
        }),
        observed_at: new Date('2026-11-01T00:00:00Z'),
        receipt: 'x.y.z',
      })
      .execute();
    const rows = await db
      .selectFrom('evidence_measurements')
      .selectAll()
      .where('evidence_id', '=', id)
      .orderBy('ordinal')
      .execute();
    expect(rows.map((row: any) => [row.name, row.value, row.dataset, row.split, row.slice])).toEqual([
      ['accuracy', 0.91, 'holdout', 'test', null],
      ['f1', 0.8, 'holdout', 'test', 'age>60'],
      ['huge', 1e308, 'holdout', 'test', null],
    ]);
  });
});
