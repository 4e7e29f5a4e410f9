import { emptyRoot, isHash, leafHash } from './hashing.ts';
import { MemoryNodeStore } from './memory-node-store.ts';
import type { NodeReader } from './node-reader.ts';
import { consistencyProof, inclusionProof } from './proofs.ts';
import { rootAt } from './root-at.ts';
import { isCount } from './size-checks.ts';
import { verifyConsistency } from './verify-consistency.ts';
import { verifyInclusion } from './verify-inclusion.ts';

/** A tree head the log signed; pass only checkpoints whose signature was verified. */
export interface CommittedCheckpoint {
  size: number;
  rootHash: Uint8Array;
}

export interface AuditOptions {
  /**
   * Node hashes the log stored while appending (its node table). Untrusted: they only serve as hints for proofs,
   * and every proof is checked against a signed root before the audit relies on it. With them a mismatch is
   * narrowed to the exact leaf; without them, to the leaves between two checkpoints.
   */
  committedNodes?: NodeReader;
}

type MismatchKind = 'leaf_differs' | 'leaves_missing' | 'not_located' | 'conflicting_checkpoints';

export type LedgerAudit =
  | { ok: true; leafCount: number; committedSize: number }
  | {
      ok: false;
      leafCount: number;
      /** The smallest signed checkpoint that the stored leaves do not reproduce. */
      checkpointSize: number;
      /** The lowest leaf index that may differ; exactly the first differing leaf unless `located` is not_located. */
      firstDifference: number;
      /**
       * leaf_differs: the stored leaf at firstDifference is not the committed one (changed, deleted or reordered
       * row); leaves_missing: the stored leaves end at firstDifference; not_located: somewhere in `range`;
       * conflicting_checkpoints: two signed checkpoints of the same size disagree, so the log forked; nothing else
       * is checked.
       */
      located: MismatchKind;
      /** The first difference lies in leaf indexes [from, to). */
      range: { from: number; to: number };
    };

/**
 * Recomputes the tree from the stored leaf data (in log order) and compares it with signed checkpoints. A changed,
 * deleted or reordered row changes every root from its index on, so the first differing leaf is where the stored
 * prefix stops being consistent with the first failing checkpoint: found by binary search over prefix sizes, each
 * step a consistency proof from the stored prefix's root to that checkpoint's root.
 */
export async function recomputeAndCompare(
  leaves: readonly Uint8Array[],
  checkpoints: readonly CommittedCheckpoint[],
  options: AuditOptions = {},
): Promise<LedgerAudit> {
  for (const checkpoint of checkpoints) {
    const validHead = isCount(checkpoint.size) && isHash(checkpoint.rootHash);
    if (!validHead || (checkpoint.size === 0 && !emptyRoot().equals(checkpoint.rootHash))) {
      throw new TypeError(`checkpoint of size ${checkpoint.size} is not a valid tree head`);
    }
  }
  const own = new MemoryNodeStore();
  await own.append(leaves.map((leaf) => leafHash(leaf)));
  const leafCount = own.size;
  const sorted = [...checkpoints].sort((a, b) => a.size - b.size);
  const fork = sorted.find(
    (checkpoint, i) => i > 0 && checkpoint.size === sorted[i - 1]!.size && !sameHash(checkpoint, sorted[i - 1]!),
  );
  if (fork) return mismatch(leafCount, fork.size, 'conflicting_checkpoints', fork.size, fork.size);

  // Each root costs O(log n) reads of the recomputed tree, so every checkpoint is checked rather than bisected.
  let lastMatch = 0;
  for (const checkpoint of sorted) {
    if (checkpoint.size <= leafCount && (await rootAt(checkpoint.size, own.read)).equals(checkpoint.rootHash)) {
      lastMatch = checkpoint.size;
      continue;
    }
    const first = await firstDifference(own, checkpoint, lastMatch, options.committedNodes);
    // No root from the failing checkpoint's size on is reproduced, and index leafCount is the first missing leaf,
    // so the difference lies below both.
    const to = Math.min(checkpoint.size, leafCount + 1);
    if (!first.proven && to - first.index > 1) {
      return mismatch(leafCount, checkpoint.size, 'not_located', first.index, to);
    }
    return first.index === leafCount
      ? mismatch(leafCount, checkpoint.size, 'leaves_missing', leafCount, checkpoint.size)
      : mismatch(leafCount, checkpoint.size, 'leaf_differs', first.index, first.index + 1);
  }
  return { ok: true, leafCount, committedSize: sorted.at(-1)?.size ?? 0 };
}

function mismatch(leafCount: number, checkpointSize: number, located: MismatchKind, from: number, to: number) {
  return { ok: false as const, leafCount, checkpointSize, firstDifference: from, located, range: { from, to } };
}

function sameHash(a: CommittedCheckpoint, b: CommittedCheckpoint): boolean {
  return Buffer.from(a.rootHash).equals(b.rootHash);
}

/**
 * The first index where the stored leaves leave the tree `checkpoint` commits to, given that the first `knownGood`
 * leaves match. `proven` when hints let that be shown by verified proofs.
 */
async function firstDifference(
  own: MemoryNodeStore,
  checkpoint: CommittedCheckpoint,
  knownGood: number,
  hints: NodeReader | undefined,
): Promise<{ index: number; proven: boolean }> {
  if (!hints) return { index: knownGood, proven: false };
  const consistentPrefix = async (size: number) => {
    try {
      const proof = await consistencyProof(size, checkpoint.size, hints);
      return verifyConsistency(size, checkpoint.size, proof, await rootAt(size, own.read), checkpoint.rootHash);
    } catch {
      return false; // a hint node is missing: nothing proven
    }
  };
  // Largest consistent prefix size; prefixes only ever lose consistency as they grow.
  let low = knownGood;
  let high = Math.min(own.size, checkpoint.size - 1);
  while (low < high) {
    const mid = low + Math.ceil((high - low) / 2);
    if (await consistentPrefix(mid)) low = mid;
    else high = mid - 1;
  }
  if (low === own.size) return { index: low, proven: true }; // every stored leaf matches; the rest are missing
  return { index: low, proven: await committedLeafDiffers(own, checkpoint, low, hints) };
}

/** Whether the hints hold a leaf hash at `index` that is provably in the checkpoint and differs from the stored one. */
async function committedLeafDiffers(
  own: MemoryNodeStore,
  checkpoint: CommittedCheckpoint,
  index: number,
  hints: NodeReader,
): Promise<boolean> {
  try {
    const [committed] = await hints([{ level: 0, index }]);
    if (!committed) return false;
    const proof = await inclusionProof(index, checkpoint.size, hints);
    return (
      verifyInclusion(committed, index, checkpoint.size, proof, checkpoint.rootHash) &&
      !committed.equals(own.get({ level: 0, index }))
    );
  } catch {
    return false;
  }
}
