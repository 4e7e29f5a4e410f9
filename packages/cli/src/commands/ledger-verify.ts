import { createHash } from 'node:crypto';
import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import pg from 'pg';
import {
  encodeLeaf,
  leafHash,
  parseAndVerifyCheckpoint,
  recomputeAndCompare,
  verifyConsistency,
  type CommittedCheckpoint,
  type LedgerAudit,
  type NodeReader,
} from '@cabc/ledger';

// `cabc ledger verify`: recomputes the evidence ledger from the stored envelopes (database mode) or checks that the
// published checkpoints form one append-only history (HTTP mode, for outsiders). See docs/ledger.md.

const PAGE = 5_000;

export interface EntryDescription {
  index: number;
  /** What the log committed at this index (ledger_leaves), if the database still has it. */
  committed: { evidenceId: string; envelopeSha256: string } | null;
  /** The evidence row the recomputation used at this index, as stored now; null when there is none. */
  stored: { evidenceId: string; sequence: number; receivedAt: string; toe: string; envelopeSha256: string } | null;
}

export interface DatabaseVerification {
  ok: boolean;
  entries: number;
  checkpoints: number;
  /** Checkpoints whose note did not verify against the trusted keys (they are left out of the audit). */
  rejectedCheckpoints: { id: number; size: number; reason: string }[];
  /** Evidence rows that have no leaf in the log. */
  unloggedEvidence: string[];
  /**
   * The first entry whose stored row no longer matches the leaf hash recorded when it was appended, wherever no
   * signed checkpoint decides (entries after the latest checkpoint, or a leaf table changed along with the rows).
   */
  unrecordedChange?: EntryDescription;
  audit: LedgerAudit;
  /** The first entry that differs, named, when the audit failed. */
  firstDifference?: EntryDescription;
  /** Human-readable report lines. */
  report: string[];
}

interface LeafRow {
  leaf_index: number;
  evidence_id: string;
  committed_sha256: string;
  leaf_hash: Buffer;
  envelope: string | null;
  sequence: string | null;
  received_at: Date | null;
  toe: string | null;
}

const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** The leaf bytes of a stored row; a placeholder that can never match when the row is gone or unencodable. */
function leafOf(row: LeafRow): Uint8Array {
  if (row.envelope === null || row.sequence === null || row.received_at === null || row.toe === null) {
    return Buffer.from(`missing evidence ${row.evidence_id}`);
  }
  try {
    return encodeLeaf({
      envelopeSha256: sha256Hex(row.envelope),
      sequence: BigInt(row.sequence),
      receivedAt: row.received_at,
      toe: row.toe,
    });
  } catch {
    return Buffer.from(`unencodable evidence ${row.evidence_id}`);
  }
}

function progressBar(total: number, label: string, show: boolean) {
  if (!show || total < 10_000) return { increment: (_n: number) => {}, stop: () => {} };
  const bar = new SingleBar(
    { format: `${label} [{bar}] {percentage}% {value}/{total} entries`, stream: process.stderr },
    Presets.shades_classic,
  );
  bar.start(total, 0);
  return { increment: (n: number) => bar.increment(n), stop: () => bar.stop() };
}

/**
 * Recomputes every leaf from the stored evidence (SHA-256 of the stored envelope text, sequence, received_at, ToE)
 * in log order, and checks the tree against every signed checkpoint. With `noteKeys`, checkpoints must verify
 * against those keys; without, against the verifier keys recorded next to them (weaker: they come from the same
 * database).
 */
export async function verifyLedgerDatabase(
  databaseUrl: string,
  options: { noteKeys?: string[]; origin?: string; progress?: boolean } = {},
): Promise<DatabaseVerification> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const report: string[] = [];
    const { rows: checkpointRows } = await client.query<{
      id: string;
      size: string;
      note: string;
      verifier_key: string;
      created_at: Date;
    }>('select id, size, note, verifier_key, created_at from ledger_checkpoints order by id');
    const trustOwnKeys = !options.noteKeys || options.noteKeys.length === 0;
    if (trustOwnKeys) {
      report.push(
        'warning: no --note-key given; checking signatures against the verifier keys stored in the same database',
      );
    }
    const checkpoints: (CommittedCheckpoint & { id: number; createdAt: Date })[] = [];
    const rejectedCheckpoints: DatabaseVerification['rejectedCheckpoints'] = [];
    for (const row of checkpointRows) {
      try {
        const keys = trustOwnKeys ? [row.verifier_key] : options.noteKeys!;
        const verified = parseAndVerifyCheckpoint(row.note, keys, options.origin ? { origin: options.origin } : {});
        checkpoints.push({
          id: Number(row.id),
          size: verified.size,
          rootHash: verified.rootHash,
          createdAt: row.created_at,
        });
      } catch (error) {
        rejectedCheckpoints.push({
          id: Number(row.id),
          size: Number(row.size),
          reason: error instanceof Error ? error.message : String(error),
        });
      }
    }

    const { rows: countRows } = await client.query<{ count: string }>('select count(*) from ledger_leaves');
    const total = Number(countRows[0]!.count);
    const bar = progressBar(total, 'recomputing', options.progress ?? false);
    const leaves: Uint8Array[] = [];
    let firstSelfMismatch: number | undefined;
    let after = -1;
    for (;;) {
      const { rows } = await client.query<LeafRow>(
        `select l.leaf_index, l.evidence_id, l.envelope_sha256 as committed_sha256, l.leaf_hash, e.envelope, e.sequence::text as sequence, e.received_at, e.toe
         from ledger_leaves l left join evidence e on e.id = l.evidence_id
         where l.leaf_index > $1 order by l.leaf_index limit $2`,
        [after, PAGE],
      );
      for (const row of rows) {
        // The n-th stored leaf is leaf n: a deleted leaf row shifts everything after it, which the audit catches.
        const leaf = leafOf(row);
        if (firstSelfMismatch === undefined && !leafHash(leaf).equals(row.leaf_hash)) firstSelfMismatch = leaves.length;
        leaves.push(leaf);
        after = Number(row.leaf_index);
      }
      bar.increment(rows.length);
      if (rows.length < PAGE) break;
    }
    bar.stop();

    const committedNodes: NodeReader = async (coords) => {
      const { rows } = await client.query<{ hash: Buffer | null }>(
        `select n.hash from unnest($1::smallint[], $2::bigint[]) with ordinality as q(level, idx, ord)
         left join ledger_nodes n on n.level = q.level and n.idx = q.idx order by q.ord`,
        [coords.map((c) => c.level), coords.map((c) => c.index)],
      );
      return rows.map((row, i) => {
        if (!row.hash) throw new Error(`node (${coords[i]!.level}, ${coords[i]!.index}) is not stored`);
        return row.hash;
      });
    };
    const audit = await recomputeAndCompare(leaves, checkpoints, { committedNodes });

    const { rows: unlogged } = await client.query<{ id: string }>(
      'select e.id from evidence e where not exists (select 1 from ledger_leaves l where l.evidence_id = e.id) order by e.sequence limit 100',
    );

    let firstDifference: EntryDescription | undefined;
    if (!audit.ok) {
      firstDifference = await describeEntry(client, audit.firstDifference);
    }
    const unrecordedChange =
      audit.ok && firstSelfMismatch !== undefined ? await describeEntry(client, firstSelfMismatch) : undefined;
    const ok = audit.ok && rejectedCheckpoints.length === 0 && unlogged.length === 0 && !unrecordedChange;
    report.push(
      ...describe(
        audit,
        checkpoints,
        rejectedCheckpoints,
        unlogged.map((row) => row.id),
        firstDifference,
        leaves.length,
      ),
    );
    if (unrecordedChange) {
      report.push(
        `log index ${unrecordedChange.index}: the stored evidence no longer matches the leaf recorded when it was appended` +
          (audit.ok && unrecordedChange.index >= audit.committedSize
            ? ' (no signed checkpoint covers it yet)'
            : ' (the leaf table was changed too)'),
        ...entryLines(unrecordedChange),
      );
    }
    return {
      ok,
      entries: leaves.length,
      checkpoints: checkpoints.length,
      rejectedCheckpoints,
      unloggedEvidence: unlogged.map((row) => row.id),
      ...(unrecordedChange ? { unrecordedChange } : {}),
      audit,
      ...(firstDifference ? { firstDifference } : {}),
      report,
    };
  } finally {
    await client.end();
  }
}

/** Names the entry at `index`: what the log committed there, and the row the recomputation used (the index-th). */
async function describeEntry(client: pg.Client, index: number): Promise<EntryDescription> {
  const { rows } = await client.query<{ evidence_id: string; envelope_sha256: string }>(
    'select evidence_id, envelope_sha256 from ledger_leaves where leaf_index = $1',
    [index],
  );
  const { rows: usedRows } = await client.query<LeafRow>(
    `select l.leaf_index, l.evidence_id, l.envelope_sha256 as committed_sha256, l.leaf_hash, e.envelope, e.sequence::text as sequence, e.received_at, e.toe
     from ledger_leaves l left join evidence e on e.id = l.evidence_id order by l.leaf_index offset $1 limit 1`,
    [index],
  );
  const used = usedRows[0];
  const committed = rows[0] ? { evidenceId: rows[0].evidence_id, envelopeSha256: rows[0].envelope_sha256 } : null;
  const stored =
    used && used.envelope !== null && used.sequence !== null && used.received_at !== null && used.toe !== null
      ? {
          evidenceId: used.evidence_id,
          sequence: Number(used.sequence),
          receivedAt: used.received_at.toISOString(),
          toe: used.toe,
          envelopeSha256: sha256Hex(used.envelope),
        }
      : null;
  return { index, committed, stored };
}

function describe(
  audit: LedgerAudit,
  checkpoints: readonly CommittedCheckpoint[],
  rejected: DatabaseVerification['rejectedCheckpoints'],
  unlogged: string[],
  entry: EntryDescription | undefined,
  entries: number,
): string[] {
  const lines: string[] = [];
  for (const checkpoint of rejected)
    lines.push(`checkpoint #${checkpoint.id} (size ${checkpoint.size}) rejected: ${checkpoint.reason}`);
  if (unlogged.length > 0) {
    lines.push(
      `${unlogged.length}${unlogged.length === 100 ? '+' : ''} evidence row(s) have no leaf in the log, e.g. ${unlogged.slice(0, 5).join(', ')}`,
    );
  }
  if (audit.ok) {
    const uncommitted = entries - audit.committedSize;
    lines.push(
      `${entries} entries recomputed; ${checkpoints.length} signed checkpoint(s) reproduced (largest size ${audit.committedSize})` +
        (uncommitted > 0 ? `; ${uncommitted} newer entries not yet covered by a checkpoint` : ''),
    );
    return lines;
  }
  const what: Record<string, string> = {
    leaf_differs: 'the stored entry is not the one the log committed (changed, deleted, inserted or reordered)',
    leaves_missing: 'the stored entries end here, but the checkpoint covers more',
    not_located: `somewhere in entries [${audit.range.from}, ${audit.range.to})`,
    conflicting_checkpoints: 'two signed checkpoints of this size have different roots: the log forked',
  };
  lines.push(`checkpoint of size ${audit.checkpointSize} is not reproduced by the stored evidence`);
  lines.push(`first differing entry: log index ${audit.firstDifference} (${audit.located}): ${what[audit.located]}`);
  if (entry) lines.push(...entryLines(entry));
  return lines;
}

function entryLines(entry: EntryDescription): string[] {
  const lines: string[] = [];
  if (entry.committed)
    lines.push(
      `  committed: evidence ${entry.committed.evidenceId}, envelope sha256 ${entry.committed.envelopeSha256}`,
    );
  if (entry.stored) {
    const s = entry.stored;
    lines.push(
      `  stored:    evidence ${s.evidenceId}, sequence ${s.sequence}, received ${s.receivedAt}, toe ${s.toe}, envelope sha256 ${s.envelopeSha256}`,
    );
  } else {
    lines.push(
      entry.committed
        ? `  stored:    evidence ${entry.committed.evidenceId} is missing`
        : '  stored:    no entry at this index',
    );
  }
  return lines;
}

export interface HttpVerification {
  ok: boolean;
  checkpoints: number;
  largestSize: number;
  report: string[];
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(15_000) });
  if (!response.ok)
    throw new Error(`GET ${url} answered HTTP ${response.status}: ${(await response.text()).slice(0, 300)}`);
  return (await response.json()) as T;
}

/**
 * For outsiders: every checkpoint the assessment service publishes must verify against the note key, and each must
 * be consistent with the previous one (a consistency proof from the service, checked here).
 */
export async function verifyLedgerHttp(
  baseUrl: string,
  options: { noteKeys?: string[]; origin?: string } = {},
): Promise<HttpVerification> {
  const report: string[] = [];
  let keys = options.noteKeys ?? [];
  if (keys.length === 0) {
    const published = await getJson<{ verifierKeys: string[] }>(new URL('/v1/ledger/verifier-key', baseUrl).toString());
    keys = published.verifierKeys;
    report.push('warning: no --note-key given; trusting the verifier keys the service publishes now');
  }
  const notes: { id: number; note: string }[] = [];
  let after = 0;
  for (;;) {
    const page = await getJson<{ items: { id: number; note: string }[]; next: number | null }>(
      new URL(`/v1/ledger/checkpoints?limit=1000&after=${after}`, baseUrl).toString(),
    );
    notes.push(...page.items);
    if (page.next === null) break;
    after = page.next;
  }
  let ok = true;
  const verified: { id: number; size: number; rootHash: Buffer }[] = [];
  for (const { id, note } of notes) {
    try {
      const checkpoint = parseAndVerifyCheckpoint(note, keys, options.origin ? { origin: options.origin } : {});
      verified.push({ id, size: checkpoint.size, rootHash: checkpoint.rootHash });
    } catch (error) {
      ok = false;
      report.push(`checkpoint #${id} rejected: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  verified.sort((a, b) => a.size - b.size || a.id - b.id);
  for (let i = 1; i < verified.length; i++) {
    const [older, newer] = [verified[i - 1]!, verified[i]!];
    if (older.size === newer.size) {
      if (!older.rootHash.equals(newer.rootHash)) {
        ok = false;
        report.push(
          `checkpoints #${older.id} and #${newer.id} both have size ${older.size} but different roots: the log forked`,
        );
      }
      continue;
    }
    const proof = await getJson<{ hashes: string[] }>(
      new URL(`/v1/ledger/proofs/consistency?first=${older.size}&second=${newer.size}`, baseUrl).toString(),
    );
    const hashes = proof.hashes.map((hash) => Buffer.from(hash, 'base64'));
    if (!verifyConsistency(older.size, newer.size, hashes, older.rootHash, newer.rootHash)) {
      ok = false;
      report.push(
        `checkpoint of size ${newer.size} is not consistent with the one of size ${older.size}: history was rewritten`,
      );
    }
  }
  const largestSize = verified.at(-1)?.size ?? 0;
  if (ok)
    report.push(`${verified.length} checkpoint(s) verified and mutually consistent (largest size ${largestSize})`);
  return { ok, checkpoints: verified.length, largestSize, report };
}

/** `cabc ledger verify --db <url>` or `cabc ledger verify --url <assessment url>`. */
export function registerLedgerCommand(program: Command): void {
  const ledger = program.command('ledger').description('the evidence ledger: verify it against its signed checkpoints');
  ledger
    .command('verify')
    .description(
      'recompute the ledger from the assessment database (--db) and check every signed checkpoint, naming the first entry ' +
        'that differs; or check the published checkpoints of a running service for consistency (--url). Exit 1 on any mismatch.',
    )
    .option('--db <url>', 'the assessment database (postgres://...)')
    .option('--url <url>', 'the assessment service base URL (HTTP mode, needs no database access)')
    .option('--note-key <key...>', 'trusted note verifier key(s) <name>+<key id>+<base64 key>, obtained out of band')
    .option('--origin <origin>', 'the log origin the checkpoints must name')
    .option('--json', 'print the result as JSON')
    .action(async (options: { db?: string; url?: string; noteKey?: string[]; origin?: string; json?: boolean }) => {
      if (!options.db === !options.url)
        throw new Error('give exactly one of --db <database url> and --url <service url>');
      const common = {
        ...(options.noteKey ? { noteKeys: options.noteKey } : {}),
        ...(options.origin ? { origin: options.origin } : {}),
      };
      const result = options.db
        ? await verifyLedgerDatabase(options.db, {
            ...common,
            progress: Boolean(process.stderr.isTTY) && !options.json,
          })
        : await verifyLedgerHttp(options.url!, common);
      if (options.json) {
        process.stdout.write(
          `${JSON.stringify(result, (_key, value) => (value?.type === 'Buffer' ? Buffer.from(value.data).toString('base64') : value), 2)}\n`,
        );
      } else {
        process.stdout.write(
          `ledger verify: ${result.ok ? 'OK' : 'FAILED'}\n${result.report.map((line) => `  ${line}`).join('\n')}\n`,
        );
      }
      if (!result.ok) process.exitCode = 1;
    });
}
