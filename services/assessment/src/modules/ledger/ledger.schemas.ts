import { z } from 'zod';
import type { StoredCheckpoint } from './ledger.repository.ts';

/** A decimal integer parameter; range checks are the ledger's (422 naming the limit), not the parser's. */
const integerParam = z
  .string()
  .regex(/^-?\d{1,20}$/, 'a decimal integer')
  .transform((value) => Number(value));

export const checkpointViewSchema = z.object({
  id: z.number().int(),
  origin: z.string(),
  size: z.number().int(),
  /** Standard base64 of the 32-byte root hash, as in the note. */
  rootHash: z.string(),
  /** JWK key id (RFC 7638) of the auditor key that signed. */
  kid: z.string(),
  /** The C2SP note verifier key of that signature: `<origin>+<key ID>+<base64 key>`. */
  verifierKey: z.string(),
  /** The checkpoint as a C2SP signed note: what an outsider verifies. */
  note: z.string(),
  createdAt: z.string(),
});

export function toCheckpointView(checkpoint: StoredCheckpoint): z.infer<typeof checkpointViewSchema> {
  return {
    id: checkpoint.id,
    origin: checkpoint.origin,
    size: checkpoint.size,
    rootHash: checkpoint.rootHash.toString('base64'),
    kid: checkpoint.kid,
    verifierKey: checkpoint.verifierKey,
    note: checkpoint.note,
    createdAt: checkpoint.createdAt.toISOString(),
  };
}

export const checkpointListQuerySchema = z.object({
  after: integerParam.optional().describe('id of the last checkpoint of the previous page'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const checkpointListSchema = z.object({
  items: z.array(checkpointViewSchema),
  /** `after` for the next page; null on the last page. */
  next: z.number().int().nullable(),
});

export const sizeParamsSchema = z.object({ size: integerParam });
export const indexParamsSchema = z.object({ index: integerParam });

export const inclusionQuerySchema = z.object({
  index: integerParam.optional().describe('leaf index (the receipt’s logIndex); or give evidenceId'),
  evidenceId: z.uuid().optional(),
  size: integerParam.optional().describe('tree size of the checkpoint to prove against; default the latest checkpoint'),
});

export const inclusionProofSchema = z.object({
  index: z.number().int(),
  size: z.number().int(),
  /** The committed leaf hash at index (base64). A verifier recomputes it from its own data instead of trusting it. */
  leafHash: z.string(),
  /** RFC 9162 §2.1.3 audit path, leaf's sibling first, base64. */
  hashes: z.array(z.string()),
});

export const consistencyQuerySchema = z.object({
  first: integerParam,
  second: integerParam.optional().describe('default the latest checkpoint’s size'),
});

export const consistencyProofSchema = z.object({
  first: z.number().int(),
  second: z.number().int(),
  /** RFC 9162 §2.1.4 consistency proof, base64. */
  hashes: z.array(z.string()),
});

export const leafViewSchema = z.object({
  index: z.number().int(),
  /** The leaf hash the log committed to (base64). */
  leafHash: z.string(),
  /** The leaf hash recomputed now from the stored evidence row; null when the row is gone. */
  storedLeafHash: z.string().nullable(),
  /** Whether the stored evidence row still hashes to the committed leaf. */
  matches: z.boolean(),
});

export const verifierKeySchema = z.object({
  origin: z.string(),
  /** The note verifier key of the active auditor key. */
  verifierKey: z.string(),
  /** Every key that may have signed checkpoints: the active one first, then retired ones. */
  verifierKeys: z.array(z.string()),
});
