import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateSigningKey } from '@cabc/crypto';
import { formatVerifierKey } from '@cabc/ledger';
import { verifyLedgerDatabase, verifyLedgerHttp } from '../../../packages/cli/src/commands/ledger-verify.ts';
import { asSuperuser, checkpointNow, ingest, type Receipt } from './ledger-support.ts';
import { startAssessmentApp, type AssessmentFixture } from './support/assessment-app.ts';

const cli = path.resolve(import.meta.dirname, '../../../packages/cli/bin/cabc');
const run = promisify(execFile);

/** Runs `cabc ledger verify` as a user would; resolves with the exit code and output. */
async function cabcLedgerVerify(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, 'ledger', 'verify', ...args], { timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('cabc ledger verify', () => {
  let fixture: AssessmentFixture;
  let receipts: Receipt[];
  let noteKey: string;
  beforeEach(async () => {
    fixture = await startAssessmentApp();
    receipts = await ingest(fixture, 5);
    await checkpointNow(fixture);
    receipts.push(...(await ingest(fixture, 5)));
    noteKey = (await checkpointNow(fixture)).verifierKey;
  });
  afterEach(async () => {
    await fixture?.dispose();
  });

  it('passes an untouched log, from the database and over HTTP', async () => {
    const result = await verifyLedgerDatabase(fixture.config.DATABASE_URL, { noteKeys: [noteKey] });
    expect(result.ok, result.report.join('\n')).toBe(true);
    expect(result).toMatchObject({ entries: 10, checkpoints: 2, rejectedCheckpoints: [], unloggedEvidence: [] });

    const cliRun = await cabcLedgerVerify(['--db', fixture.config.DATABASE_URL, '--note-key', noteKey]);
    expect(cliRun.code, cliRun.stdout + cliRun.stderr).toBe(0);
    expect(cliRun.stdout).toContain('ledger verify: OK');

    await fixture.app.listen({ host: '127.0.0.1', port: 0 });
    const address = fixture.app.server.address() as { port: number };
    const http = await verifyLedgerHttp(`http://127.0.0.1:${address.port}`, { noteKeys: [noteKey] });
    expect(http.ok, http.report.join('\n')).toBe(true);
    expect(http).toMatchObject({ checkpoints: 2, largestSize: 10 });
  });

  it('names the entry whose stored envelope was changed', async () => {
    const target = receipts[3]!;
    await asSuperuser(fixture.infra.db, (db) =>
      sql`update evidence set envelope = envelope || ' ' where id = ${target.evidenceId}`.execute(db),
    );
    const result = await verifyLedgerDatabase(fixture.config.DATABASE_URL, { noteKeys: [noteKey] });
    expect(result.ok).toBe(false);
    expect(result.audit).toMatchObject({ ok: false, firstDifference: 3, located: 'leaf_differs', checkpointSize: 5 });
    expect(result.firstDifference).toMatchObject({
      index: 3,
      committed: { evidenceId: target.evidenceId, envelopeSha256: target.envelopeSha256 },
    });
    expect(result.firstDifference!.stored!.envelopeSha256).not.toBe(target.envelopeSha256);

    const cliRun = await cabcLedgerVerify(['--db', fixture.config.DATABASE_URL, '--note-key', noteKey]);
    expect(cliRun.code).toBe(1);
    expect(cliRun.stdout).toContain('ledger verify: FAILED');
    expect(cliRun.stdout).toContain('first differing entry: log index 3');
    expect(cliRun.stdout).toContain(target.evidenceId);
  });

  it('names the entry whose evidence row was deleted', async () => {
    const target = receipts[7]!;
    await asSuperuser(fixture.infra.db, async (db) => {
      await sql`delete from pending_evaluations where evidence_id = ${target.evidenceId}`.execute(db);
      await sql`delete from evidence where id = ${target.evidenceId}`.execute(db);
    });
    const result = await verifyLedgerDatabase(fixture.config.DATABASE_URL, { noteKeys: [noteKey] });
    expect(result.audit).toMatchObject({ ok: false, firstDifference: 7, located: 'leaf_differs', checkpointSize: 10 });
    expect(result.firstDifference).toMatchObject({
      index: 7,
      committed: { evidenceId: target.evidenceId },
      stored: null,
    });
    expect(result.report.join('\n')).toContain(`evidence ${target.evidenceId} is missing`);

    const cliRun = await cabcLedgerVerify(['--db', fixture.config.DATABASE_URL, '--note-key', noteKey]);
    expect(cliRun.code).toBe(1);
    expect(cliRun.stdout).toContain('log index 7');
  });

  it('names the first entry of two whose order was swapped', async () => {
    const [a, b] = [receipts[1]!, receipts[6]!];
    await asSuperuser(fixture.infra.db, async (db) => {
      await sql`update evidence set sequence = -1 where id = ${a.evidenceId}`.execute(db);
      await sql`update evidence set sequence = ${a.sequence} where id = ${b.evidenceId}`.execute(db);
      await sql`update evidence set sequence = ${b.sequence} where id = ${a.evidenceId}`.execute(db);
    });
    const result = await verifyLedgerDatabase(fixture.config.DATABASE_URL, { noteKeys: [noteKey] });
    expect(result.audit).toMatchObject({ ok: false, firstDifference: 1, located: 'leaf_differs' });
    expect(result.firstDifference).toMatchObject({
      index: 1,
      stored: { evidenceId: a.evidenceId, sequence: b.sequence },
    });
  });

  it('names an entry changed after the latest checkpoint, from the leaf recorded at append', async () => {
    const later = await ingest(fixture, 3);
    await asSuperuser(fixture.infra.db, (db) =>
      sql`update evidence set toe = 'toe-lookup' where id = ${later[1]!.evidenceId}`.execute(db),
    );
    const result = await verifyLedgerDatabase(fixture.config.DATABASE_URL, { noteKeys: [noteKey] });
    expect(result.audit.ok).toBe(true); // no signed checkpoint covers it yet
    expect(result.ok).toBe(false);
    expect(result.unrecordedChange).toMatchObject({
      index: 11,
      committed: { evidenceId: later[1]!.evidenceId },
      stored: { toe: 'toe-lookup' },
    });
    expect(result.report.join('\n')).toContain(
      'log index 11: the stored evidence no longer matches the leaf recorded when it was appended',
    );
  });

  it('fails when a ledger row is removed and everything after it shifts', async () => {
    await sql`alter table ledger_leaves disable trigger ledger_leaves_append_only`.execute(fixture.infra.db);
    await sql`delete from ledger_leaves where leaf_index = 2`.execute(fixture.infra.db);
    const result = await verifyLedgerDatabase(fixture.config.DATABASE_URL, { noteKeys: [noteKey] });
    expect(result.audit).toMatchObject({ ok: false, firstDifference: 2 });
    expect(result.unloggedEvidence).toEqual([receipts[2]!.evidenceId]);
  });

  it('refuses checkpoints that do not verify with the given key', async () => {
    const other = formatVerifierKey('cabc-assessment/ledger', (await generateSigningKey()).publicKey);
    const cliRun = await cabcLedgerVerify(['--db', fixture.config.DATABASE_URL, '--note-key', other]);
    expect(cliRun.code).toBe(1);
    expect(cliRun.stdout).toMatch(/checkpoint #\d+ \(size 5\) rejected/);
  });
});
