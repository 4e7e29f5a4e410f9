export { HASH_SIZE, leafHash, nodeHash, emptyRoot, rootOf } from './hashing.ts';
export { LedgerRangeError, CheckpointError, type LedgerRangeField, type CheckpointErrorReason } from './errors.ts';
export type { NodeCoord, StoredNode, NodeReader } from './node-reader.ts';
export { perfectSubtrees } from './tree-math.ts';
export { inclusionPlan, consistencyPlan, type ProofPlan } from './proof-plans.ts';
export { nodesToAppend } from './append.ts';
export { rootAt, type TreeBounds } from './root-at.ts';
export { inclusionProof, consistencyProof } from './proofs.ts';
export { verifyInclusion } from './verify-inclusion.ts';
export { verifyConsistency } from './verify-consistency.ts';
export { MemoryNodeStore } from './memory-node-store.ts';
export { encodeLeaf, decodeLeaf, LEAF_ENCODING_VERSION, type LeafFields, type DecodedLeaf } from './leaf-encoding.ts';
export { formatVerifierKey, parseVerifierKey, noteKeyId, type NoteVerifierKey } from './note-keys.ts';
export { signNote, openNote, type NoteSigner, type OpenedNote } from './signed-note.ts';
export { formatCheckpoint, parseCheckpoint, type Checkpoint, type CheckpointFields } from './checkpoint.ts';
export {
  signCheckpoint,
  parseAndVerifyCheckpoint,
  verifierKeyOf,
  type CheckpointSigner,
  type VerifiedCheckpoint,
} from './checkpoint-signing.ts';
export { recomputeAndCompare, type CommittedCheckpoint, type AuditOptions, type LedgerAudit } from './audit.ts';
