import { isHash, nodeHash } from './hashing.ts';
import { isCount } from './size-checks.ts';
import { half, isOdd } from './tree-math.ts';

/**
 * RFC 9162 §2.1.3.2: whether `proof` shows the leaf with hash `leafHash` at `index` is in the tree of `size` leaves
 * whose root is `root`. Untrusted input never throws; anything malformed is simply not verified.
 */
export function verifyInclusion(
  leafHash: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!isCount(index) || !isCount(size) || index >= size) return false;
  if (!isHash(leafHash) || !isHash(root) || !proof.every(isHash)) return false;
  let fn = index;
  let sn = size - 1;
  let r: Buffer = Buffer.from(leafHash);
  for (const p of proof) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      // On the right edge: skip the levels where this node has no sibling.
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && r.equals(root);
}
