import { sql, type Kysely } from 'kysely';
import { expect } from 'vitest';
import { encodeLeaf, leafHash, parseAndVerifyCheckpoint, type VerifiedCheckpoint } from '@cabc/ledger';
import type { Server } from '@cabc/http-kit';
import { evidenceStatement, signedEnvelope, type AssessmentFixture } from './support/assessment-app.ts';

/** The JSON answer of POST /v1/evidence. */
export interface Receipt {
  evidenceId: string;
  toe: string;
  sequence: number;
  envelopeSha256: string;
  receivedAt: string;
  logIndex: number | null;
  receipt: string;
}

let counter = 0;

/** A distinct signed envelope for a seeded ToE (distinct observedAt, so a distinct statement). */
export function distinctEnvelope(fixture: AssessmentFixture, toe = 'credit-scoring'): string {
  counter += 1;
  const observedAt = new Date(Date.now() - 3_600_000 + counter).toISOString();
  return signedEnvelope(
    evidenceStatement({ toe, observedAt, accuracy: 0.9 + (counter % 10) / 100 }),
    fixture.collectorKey,
  );
}

export async function postEnvelope(app: Server, envelope: string): Promise<{ status: number; receipt: Receipt }> {
  const response = await app.inject({
    method: 'POST',
    url: '/v1/evidence',
    headers: { 'content-type': 'application/json' },
    payload: envelope,
  });
  expect([200, 201], response.body).toContain(response.statusCode);
  return { status: response.statusCode, receipt: response.json() as Receipt };
}

/** Accepts `count` new envelopes one after the other; returns their receipts. */
export async function ingest(fixture: AssessmentFixture, count: number, toe?: string): Promise<Receipt[]> {
  const receipts: Receipt[] = [];
  for (let i = 0; i < count; i++)
    receipts.push((await postEnvelope(fixture.app, distinctEnvelope(fixture, toe))).receipt);
  return receipts;
}

/** The leaf hash a receipt holder computes on its own (docs/ledger.md, "Leaves"). */
export function leafOfReceipt(receipt: Receipt): Buffer {
  return leafHash(
    encodeLeaf({
      envelopeSha256: receipt.envelopeSha256,
      sequence: receipt.sequence,
      receivedAt: new Date(receipt.receivedAt),
      toe: receipt.toe,
    }),
  );
}

/** The claims of a JWT, unverified (the tests check what was signed, not who signed it). */
export function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

export async function get(app: Server, url: string, headers: Record<string, string> = {}) {
  return app.inject({ method: 'GET', url, headers });
}

/** Signs a checkpoint now as the auditor; returns it verified against the published verifier key. */
export async function checkpointNow(
  fixture: AssessmentFixture,
): Promise<VerifiedCheckpoint & { note: string; verifierKey: string }> {
  const token = await fixture.token('auditor');
  const response = await fixture.app.inject({
    method: 'POST',
    url: '/v1/ledger/checkpoints',
    headers: { authorization: `Bearer ${token}` },
  });
  expect([200, 201], response.body).toContain(response.statusCode);
  const { note } = response.json() as { note: string };
  const { verifierKey } = (await get(fixture.app, '/v1/ledger/verifier-key')).json() as { verifierKey: string };
  return { ...parseAndVerifyCheckpoint(note, [verifierKey]), note, verifierKey };
}

/** What a superuser could do behind the service's back: the append-only trigger is disabled for the change. */
export async function asSuperuser(db: Kysely<any>, change: (db: Kysely<any>) => Promise<unknown>): Promise<void> {
  await sql`alter table evidence disable trigger evidence_append_only`.execute(db);
  try {
    await change(db);
  } finally {
    await sql`alter table evidence enable trigger evidence_append_only`.execute(db);
  }
}
