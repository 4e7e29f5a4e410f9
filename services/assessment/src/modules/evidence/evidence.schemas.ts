import { z } from 'zod';

export const evidenceReceiptSchema = z.object({
  evidenceId: z.uuid(),
  toe: z.string(),
  sequence: z.number().int(),
  envelopeSha256: z.string(),
  receivedAt: z.string(),
  /** Position of the leaf in the evidence ledger (docs/ledger.md); null if accepted with the ledger off. */
  logIndex: z.number().int().nullable(),
  /** JWS (EdDSA, auditor key, typ cabc-receipt+jwt) over the same facts: proof of receipt for the auditee. */
  receipt: z.string(),
});
export type EvidenceReceipt = z.infer<typeof evidenceReceiptSchema>;

export const acceptedEvidenceViewSchema = evidenceReceiptSchema.extend({
  kind: z.string(),
  keyid: z.string(),
  observedAt: z.string(),
  subjects: z.unknown(),
  predicate: z.unknown(),
});
