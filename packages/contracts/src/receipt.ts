import { z } from 'zod';

/** JWS `typ` of the receipt the assessment service signs for every evidence it accepts. */
export const RECEIPT_TYP = 'cabc-receipt+jwt';

/** Claims of a receipt (EdDSA, the auditor's key): proof for the auditee that this exact envelope was accepted. */
export const receiptClaimsSchema = z.object({
  iss: z.string().min(1),
  /** The evidence id the assessment service gave the envelope. */
  sub: z.string().min(1),
  iat: z.number().int(),
  toe: z.string().min(1),
  /** SHA-256 (hex) of the exact envelope bytes received. */
  envelopeSha256: z.string().regex(/^[0-9a-f]{64}$/),
  sequence: z.number().int(),
  receivedAt: z.iso.datetime({ offset: true }),
  /** Position of the leaf in the evidence ledger; absent when accepted with the ledger off. */
  logIndex: z.number().int().nonnegative().optional(),
});
export type ReceiptClaims = z.infer<typeof receiptClaimsSchema>;

/** The assessment service's answer to `POST /v1/evidence`: the same facts, and the signed receipt. */
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
