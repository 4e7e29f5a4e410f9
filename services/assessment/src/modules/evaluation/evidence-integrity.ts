import type { KeyObject } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { Logger } from 'pino';
import { dsseEnvelopeSchema, evidenceStatementSchema, IN_TOTO_PAYLOAD_TYPE, type DsseEnvelope } from '@cabc/contracts';
import { canonicalJson, sha256Hex, verifyDsse } from '@cabc/crypto';
import { inclusionProof, parseAndVerifyCheckpoint, rootAt, verifyInclusion } from '@cabc/ledger';
import type { EvidenceRecord } from '@cabc/rules';
import type { IntegrityFindingsRepository } from '../findings/integrity-findings.repository.ts';
import { storedLeafHash, type LedgerRepository } from '../ledger/ledger.repository.ts';

/** An evidence row as stored, with its ledger leaf (null when it has none). */
interface StoredEvidenceRow {
  id: string;
  toe: string;
  kind: string;
  keyid: string;
  envelope: string;
  envelope_sha256: string;
  sequence: string | number;
  received_at: Date;
  observed_at: Date;
  subjects: unknown;
  predicate: unknown;
  leaf_index: string | number | null;
  leaf_hash: Buffer | null;
}

export interface ScreenedEvidence {
  /** The records that verify, in the order given. */
  evidence: EvidenceRecord[];
  /** Open integrity findings of the ToE after this screening (the posture is `error` while there are any). */
  openFindings: number;
}

/**
 * Assess only what verifies (docs/keys.md): before the rules see an evidence row, its stored envelope must hash to its
 * recorded digest and to its ledger leaf, the leaf must be under the latest signed checkpoint (or the tree head, for
 * evidence not signed over yet), the envelope's signature must verify with the collector key the scope trusts, and
 * the columns the rules read must be what the signed statement says. A row that fails is left out, logged, and
 * recorded as a `ledger_mismatch` finding; the finding is resolved when the row verifies again or is gone. What
 * verified once is remembered (by row, digest, leaf and content), so each row costs its proof once per process.
 */
export function createEvidenceIntegrity(deps: {
  /** Undefined when the service runs without its ledger (LEDGER_ENABLED=false): then no leaf is required. */
  ledger: { repository: LedgerRepository; verifierKeys: () => Promise<string[]> } | undefined;
  collectorKeys: (toe: string, keyids: string[]) => Promise<ReadonlyMap<string, KeyObject>>;
  findings: IntegrityFindingsRepository;
  logger: Logger;
}) {
  const verified = new Set<string>();
  const included = new Set<string>();
  const checkpoints = new Map<number, Buffer>();

  const remember = (set: Set<string>, key: string) => {
    if (set.size > 200_000) set.clear();
    set.add(key);
  };

  async function signedRoot(): Promise<{ size: number; root: Buffer } | string | undefined> {
    const latest = await deps.ledger!.repository.latestCheckpoint();
    if (!latest) return undefined;
    let root = checkpoints.get(latest.id);
    if (!root) {
      try {
        const checkpoint = parseAndVerifyCheckpoint(latest.note, await deps.ledger!.verifierKeys());
        if (checkpoint.size !== latest.size || !checkpoint.rootHash.equals(latest.rootHash))
          return `the latest checkpoint's columns differ from its signed note`;
        root = checkpoint.rootHash;
        checkpoints.set(latest.id, root);
      } catch (error) {
        return `the latest checkpoint does not verify with the service's keys (${error instanceof Error ? error.message : String(error)})`;
      }
    }
    return { size: latest.size, root };
  }

  async function ledgerProblem(index: number, leaf: Buffer): Promise<string | undefined> {
    const cacheKey = `${index}:${leaf.toString('hex')}`;
    if (included.has(cacheKey)) return undefined;
    const repository = deps.ledger!.repository;
    const treeSize = await repository.size();
    if (index >= treeSize) return `its leaf ${index} is beyond the tree head (size ${treeSize})`;
    const signed = await signedRoot();
    if (typeof signed === 'string') return signed;
    const under =
      signed && index < signed.size ? signed : { size: treeSize, root: await rootAt(treeSize, repository.reader) };
    const proof = await inclusionProof(index, under.size, repository.reader, { treeSize });
    if (!verifyInclusion(leaf, index, under.size, proof, under.root)) {
      return `its leaf ${index} is not under the ${under === signed ? 'signed checkpoint' : 'tree head'} of size ${under.size}`;
    }
    remember(included, cacheKey);
    return undefined;
  }

  /** Why the row must not be assessed; undefined when it verifies. */
  async function problemOf(row: StoredEvidenceRow): Promise<string | undefined> {
    const envelopeSha256 = sha256Hex(row.envelope);
    if (envelopeSha256 !== row.envelope_sha256) return 'the stored envelope does not hash to its recorded digest';
    // observed_at too: the evidence query picks the newest rows by that column.
    const content = sha256Hex(
      canonicalJson({
        kind: row.kind,
        toe: row.toe,
        subjects: row.subjects,
        predicate: row.predicate,
        observedAt: row.observed_at.getTime(),
      }),
    );
    let leafHex = '';
    if (deps.ledger) {
      if (row.leaf_index === null || row.leaf_hash === null) return 'it has no leaf in the evidence ledger';
      const stored = storedLeafHash({
        envelope: row.envelope,
        sequence: Number(row.sequence),
        receivedAt: row.received_at,
        toe: row.toe,
      });
      if (!stored?.equals(row.leaf_hash))
        return 'its ledger leaf does not match the stored row (envelope, sequence, received time or ToE changed)';
      leafHex = stored.toString('hex');
    }
    const cacheKey = `${row.id}|${envelopeSha256}|${leafHex}|${row.keyid}|${content}`;
    if (verified.has(cacheKey)) return undefined;
    if (deps.ledger) {
      const problem = await ledgerProblem(Number(row.leaf_index), row.leaf_hash!);
      if (problem) return problem;
    }
    let envelope: DsseEnvelope;
    let payload: unknown;
    try {
      envelope = dsseEnvelopeSchema.parse(JSON.parse(row.envelope));
    } catch {
      return 'the stored envelope is not a DSSE envelope';
    }
    const keys = await deps.collectorKeys(row.toe, [row.keyid]);
    try {
      const signed = verifyDsse(envelope, keys, { supportedPayloadTypes: [IN_TOTO_PAYLOAD_TYPE] });
      if (!signed.keyids.includes(row.keyid)) return `the envelope is not signed by collector key ${row.keyid}`;
      payload = JSON.parse(signed.payload.toString('utf8'));
    } catch (error) {
      return `the envelope's signature does not verify with collector key ${row.keyid} (${error instanceof Error ? error.message : String(error)})`;
    }
    const statement = evidenceStatementSchema.safeParse(payload);
    if (!statement.success) return 'the signed statement is not valid evidence';
    const signedContent = sha256Hex(
      canonicalJson({
        kind: statement.data.predicate.kind,
        toe: statement.data.predicate.toe,
        subjects: statement.data.subject,
        predicate: statement.data.predicate,
        observedAt: Date.parse(statement.data.predicate.observedAt),
      }),
    );
    if (signedContent !== content) return 'the stored columns differ from the signed statement';
    remember(verified, cacheKey);
    return undefined;
  }

  async function storedRows(ids: readonly string[], trx: Transaction<any>): Promise<StoredEvidenceRow[]> {
    if (ids.length === 0) return [];
    const { rows } = await sql<StoredEvidenceRow>`
      select e.id, e.toe, e.kind, e.keyid, e.envelope, e.envelope_sha256, e.sequence, e.received_at, e.observed_at,
             e.subjects, e.predicate, l.leaf_index, l.leaf_hash
        from evidence e
        left join ledger_leaves l on l.evidence_id = e.id
       where e.id = any(${[...ids]}::uuid[])`.execute(trx);
    return rows;
  }

  return {
    /**
     * Leaves out of `records` every row that does not verify (recording a finding for each), re-checks the ToE's open
     * findings (resolving those whose row verifies again or is gone), in the caller's transaction.
     */
    async screen(toe: string, records: readonly EvidenceRecord[], trx: Transaction<any>): Promise<ScreenedEvidence> {
      const open = await deps.findings.openFor(toe, trx);
      const ids = [...new Set([...records.map((record) => record.id), ...open.map((finding) => finding.evidenceId)])];
      const rows = new Map((await storedRows(ids, trx)).map((row) => [row.id, row]));
      const problems = new Map<string, string>();
      for (const id of ids) {
        const row = rows.get(id);
        if (!row) continue;
        const problem = await problemOf(row);
        if (problem) problems.set(id, problem);
      }
      for (const [evidenceId, detail] of problems) {
        const created = await deps.findings.open({ toeId: toe, evidenceId, detail }, trx);
        if (created) {
          deps.logger.error(
            { ledgerMismatch: { toe, evidenceId, detail } },
            `evidence ${evidenceId} of ToE ${toe} is not assessed: ${detail}`,
          );
        }
      }
      const resolved = open.filter((finding) => !problems.has(finding.evidenceId));
      await deps.findings.resolve(
        resolved.map((finding) => finding.id),
        trx,
      );
      for (const finding of resolved) {
        deps.logger.warn(
          { ledgerMismatchResolved: { toe, evidenceId: finding.evidenceId } },
          `ledger mismatch of evidence ${finding.evidenceId} resolved`,
        );
      }
      return {
        evidence: records.filter((record) => !problems.has(record.id)),
        openFindings:
          open.length -
          resolved.length +
          [...problems.keys()].filter((id) => !open.some((f) => f.evidenceId === id)).length,
      };
    },
  };
}

export type EvidenceIntegrity = ReturnType<typeof createEvidenceIntegrity>;
