import { logIndexOfReceipt } from '../ledger/receipt-log-index.ts';
import type { EvidenceRow } from './reporting.repository.ts';

/**
 * What the evidence API and the OSCAL bundle both say of one accepted evidence: its identity, digests, signing key,
 * ledger index (from the signed receipt), and the predicate's producer, measurements, checks and raw-output digest.
 */
export function evidenceFields(row: EvidenceRow) {
  const predicate = row.predicate ?? {};
  return {
    id: row.id,
    sequence: row.sequence,
    kind: row.kind,
    observedAt: row.observedAt.toISOString(),
    receivedAt: row.receivedAt.toISOString(),
    envelopeSha256: row.envelopeSha256,
    statementSha256: row.statementSha256,
    keyid: row.keyid,
    logIndex: logIndexOfReceipt(row.receipt),
    receipt: row.receipt,
    producer: predicate.producer ?? null,
    measurements: Array.isArray(predicate.measurements) ? predicate.measurements : [],
    checks: Array.isArray(predicate.checks) ? predicate.checks : [],
    raw: predicate.raw ?? null,
  };
}
