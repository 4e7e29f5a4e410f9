import type { NodeCoord } from './node-reader.ts';
import { largestPowerOfTwoBelow, perfectSubtrees } from './tree-math.ts';

/**
 * Which stored nodes make up each element of a proof. Each element is the Merkle tree hash of one subtree of the
 * RFC 6962 recursion; a perfect subtree is one stored node, a right-edge subtree several (folded with foldRight).
 * Callers validate the arguments first.
 */
export type ProofPlan = NodeCoord[][];

/** RFC 9162 §2.1.3.1 PATH(index, D[size]): sibling subtrees from the leaf's sibling up to the root's child. */
export function inclusionPlan(index: number, size: number): ProofPlan {
  const path: ProofPlan = [];
  let start = 0;
  let end = size;
  while (end - start > 1) {
    const k = largestPowerOfTwoBelow(end - start);
    if (index < start + k) {
      path.push(perfectSubtrees(start + k, end));
      end = start + k;
    } else {
      path.push(perfectSubtrees(start, start + k));
      start += k;
    }
  }
  // Built walking down from the root; the proof lists hashes walking up from the leaf.
  return path.reverse();
}

/** RFC 9162 §2.1.4.1 PROOF(size1, D[size2]) = SUBPROOF(size1, D[size2], true); empty when size1 is 0 or size2. */
export function consistencyPlan(size1: number, size2: number): ProofPlan {
  const proof: ProofPlan = [];
  if (size1 === 0 || size1 === size2) return proof;
  let start = 0;
  let end = size2;
  let startsAtRoot = true; // the b flag of SUBPROOF: still on the path from the root where size1's tree is complete
  for (;;) {
    const m = size1 - start;
    if (m === end - start) {
      if (!startsAtRoot) proof.push(perfectSubtrees(start, end));
      break;
    }
    const k = largestPowerOfTwoBelow(end - start);
    if (m <= k) {
      proof.push(perfectSubtrees(start + k, end));
      end = start + k;
    } else {
      proof.push(perfectSubtrees(start, start + k));
      start += k;
      startsAtRoot = false;
    }
  }
  return proof.reverse();
}
