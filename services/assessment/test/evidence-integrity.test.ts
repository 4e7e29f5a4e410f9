import { randomBytes, randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey, sha256Hex } from '@cabc/crypto';
import { encodeLeaf, leafHash } from '@cabc/ledger';
import { asSuperuser, postEnvelope } from './ledger-support.ts';
import { seedApprovedToe } from './support/seed.ts';
import {
  evidenceStatement,
  signedEnvelope,
  startAssessmentApp,
  type AssessmentFixture,
} from './support/assessment-app.ts';

describe('evaluation assesses only evidence that verifies (ledger leaf, signature, signed content)', () => {
  let fixture: AssessmentFixture;
  let db: Kysely<any>;
  const forgedToe = `toe_${randomBytes(10).toString('hex')}`;
  const tamperedToe = `toe_${randomBytes(10).toString('hex')}`;
  const reorderedToe = `toe_${randomBytes(10).toString('hex')}`;
  const movedToe = `toe_${randomBytes(10).toString('hex')}`;
  beforeAll(async () => {
    fixture = await startAssessmentApp();
    db = fixture.infra.db;
    for (const toe of [forgedToe, tamperedToe, reorderedToe, movedToe])
      await seedApprovedToe(db, toe, [fixture.collectorKey]);
  });
  afterAll(async () => {
    await fixture?.dispose();
  });

  const evaluate = (toe: string) => fixture.assessment.services.evaluation.evaluate({ toe });
  const callbacks = async (toe: string) => {
    const { rows } = await sql<{
      body: string;
    }>`select body from outbox where ordering_key = ${toe} order by id`.execute(db);
    // Claims wait unsigned in the outbox (they are signed when sent).
    return rows.map((row) => (JSON.parse(row.body) as { claims: { type?: string; posture?: string } }).claims);
  };
  const findings = async (toe: string) => {
    const response = await fixture.app.inject({
      method: 'GET',
      url: `/v1/toes/${toe}/findings`,
      headers: { authorization: `Bearer ${await fixture.token('auditor')}` },
    });
    expect(response.statusCode, response.body).toBe(200);
    return response.json().integrity as {
      kind: string;
      evidenceId: string;
      detail: string;
      resolvedAt: string | null;
    }[];
  };
  const results = async (toe: string) => {
    const { rows } = await sql<{ status: string; evidence_ids: string[] }>`
      select status, evidence_ids from requirement_results where toe = ${toe} order by id desc limit 1`.execute(db);
    return rows[0];
  };

  /** A passing evidence row INSERTed directly, as a forger with database access would: well-formed, never received. */
  async function forgePassingRow(toe: string, options: { withLeaf?: boolean } = {}): Promise<string> {
    const statement = evidenceStatement({ toe, accuracy: 0.99 });
    const stranger = await generateSigningKey();
    const envelope = signedEnvelope(statement, { ...stranger, kid: fixture.collectorKey.kid });
    const id = randomUUID();
    const receivedAt = new Date();
    const { rows } = await sql<{
      sequence: string;
    }>`select coalesce(max(sequence), 0) + 1000 as sequence from evidence`.execute(db);
    const sequence = Number(rows[0]!.sequence);
    await sql`
      insert into evidence (id, sequence, envelope_sha256, statement_sha256, envelope, toe, kind, keyid, subjects, predicate,
                            observed_at, received_at, receipt)
      values (${id}, ${sequence}, ${sha256Hex(envelope)}, ${sha256Hex(randomUUID())}, ${envelope}, ${toe}, 'performance',
              ${fixture.collectorKey.kid}, ${JSON.stringify(statement.subject)}, ${JSON.stringify(statement.predicate)},
              ${statement.predicate.observedAt}, ${receivedAt}, 'forged')`.execute(db);
    if (options.withLeaf) {
      // A leaf row with the right hash, but outside the tree the service signs.
      const { rows: head } = await sql<{ size: string }>`select size from ledger_head`.execute(db);
      const leaf = leafHash(encodeLeaf({ envelopeSha256: sha256Hex(envelope), sequence, receivedAt, toe }));
      await sql`insert into ledger_leaves (leaf_index, evidence_id, envelope_sha256, leaf_hash)
                values (${Number(head[0]!.size) + 100}, ${id}, ${sha256Hex(envelope)}, ${leaf})`.execute(db);
    }
    return id;
  }

  it('does not assess a forged passing row: posture error, a ledger_mismatch finding, no compliant callback', async () => {
    const toe = forgedToe;
    const forged = await forgePassingRow(toe);
    expect((await evaluate(toe)).posture).toBe('error');
    expect((await results(toe))?.evidence_ids).not.toContain(forged);
    expect((await callbacks(toe)).map((claims) => claims.posture)).toEqual(['error']);
    // The newest evidence of its kind is what the rule reads: a forged row with a leaf row of its own.
    const withLeaf = await forgePassingRow(toe, { withLeaf: true });
    expect((await evaluate(toe)).posture).toBe('error');
    expect((await results(toe))?.evidence_ids).not.toContain(withLeaf);
    expect((await callbacks(toe)).map((claims) => claims.posture)).toEqual(['error']);

    const open = await findings(toe);
    expect(open.map((finding) => [finding.kind, finding.evidenceId, finding.resolvedAt]).sort()).toEqual(
      [
        ['ledger_mismatch', forged, null],
        ['ledger_mismatch', withLeaf, null],
      ].sort(),
    );
    expect(open.find((finding) => finding.evidenceId === forged)!.detail).toMatch(/no leaf in the evidence ledger/);
    expect(open.find((finding) => finding.evidenceId === withLeaf)!.detail).toMatch(/beyond the tree head/);

    // Evaluating again changes nothing and records nothing twice.
    expect((await evaluate(toe)).posture).toBe('error');
    expect(await findings(toe)).toHaveLength(2);

    // Genuine passing evidence arrives: it is assessed, but the posture stays error while the forged rows are there.
    await postEnvelope(fixture.app, signedEnvelope(evidenceStatement({ toe, accuracy: 0.97 }), fixture.collectorKey));
    expect((await evaluate(toe)).posture).toBe('error');
    expect((await callbacks(toe)).some((claims) => claims.posture === 'compliant')).toBe(false);

    // Resolved once the forged rows are gone: the genuine evidence decides.
    await db.transaction().execute(async (trx) => {
      await sql`set local session_replication_role = replica`.execute(trx);
      await sql`delete from ledger_leaves where evidence_id in (${forged}, ${withLeaf})`.execute(trx);
      await sql`delete from evidence where id in (${forged}, ${withLeaf})`.execute(trx);
    });
    expect((await evaluate(toe)).posture).toBe('compliant');
    expect((await findings(toe)).every((finding) => finding.resolvedAt !== null)).toBe(true);
  });

  it('does not assess a received row whose columns were changed afterwards (the signed statement says otherwise)', async () => {
    const toe = tamperedToe;
    const { receipt } = await postEnvelope(
      fixture.app,
      signedEnvelope(evidenceStatement({ toe, accuracy: 0.5 }), fixture.collectorKey),
    );
    expect((await evaluate(toe)).posture).toBe('non_compliant');
    await asSuperuser(db, (trx) =>
      sql`update evidence set predicate = jsonb_set(predicate, '{measurements,0,value}', '0.99') where id = ${receipt.evidenceId}`.execute(
        trx,
      ),
    );
    const outcome = await evaluate(toe);
    expect(outcome.posture).toBe('error');
    expect((await callbacks(toe)).map((claims) => claims.posture)).toEqual(['non_compliant', 'error']);
    const [finding] = await findings(toe);
    expect(finding).toMatchObject({ kind: 'ledger_mismatch', evidenceId: receipt.evidenceId, resolvedAt: null });
    expect(finding!.detail).toMatch(/differ from the signed statement/);
  });

  it('does not assess an older passing row whose observed_at column was moved forward over newer failing evidence', async () => {
    const toe = reorderedToe;
    const older = await postEnvelope(
      fixture.app,
      signedEnvelope(
        evidenceStatement({ toe, accuracy: 0.97, observedAt: new Date(Date.now() - 3_600_000).toISOString() }),
        fixture.collectorKey,
      ),
    );
    await postEnvelope(fixture.app, signedEnvelope(evidenceStatement({ toe, accuracy: 0.5 }), fixture.collectorKey));
    expect((await evaluate(toe)).posture).toBe('non_compliant');
    // The query picks the newest rows by the observed_at column: moved forward, the old passing row hides the new one.
    await asSuperuser(db, (trx) =>
      sql`update evidence set observed_at = now() + interval '1 hour' where id = ${older.receipt.evidenceId}`.execute(
        trx,
      ),
    );
    expect((await evaluate(toe)).posture).toBe('error');
    expect((await callbacks(toe)).some((claims) => claims.posture === 'compliant')).toBe(false);
    const [finding] = await findings(toe);
    expect(finding).toMatchObject({ kind: 'ledger_mismatch', evidenceId: older.receipt.evidenceId, resolvedAt: null });
    expect(finding!.detail).toMatch(/differ from the signed statement/);
  });

  it('does not assess a passing row of one ToE moved under another (its toe column changed)', async () => {
    const { receipt } = await postEnvelope(
      fixture.app,
      signedEnvelope(evidenceStatement({ toe: reorderedToe, accuracy: 0.99 }), fixture.collectorKey),
    );
    await asSuperuser(db, (trx) =>
      sql`update evidence set toe = ${movedToe} where id = ${receipt.evidenceId}`.execute(trx),
    );
    expect((await evaluate(movedToe)).posture).toBe('error');
    expect((await callbacks(movedToe)).some((claims) => claims.posture === 'compliant')).toBe(false);
    const [finding] = await findings(movedToe);
    expect(finding).toMatchObject({ kind: 'ledger_mismatch', evidenceId: receipt.evidenceId, resolvedAt: null });
  });
});
