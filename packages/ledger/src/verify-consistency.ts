import { emptyRoot, isHash, nodeHash } from './hashing.ts';
import { isCount } from './size-checks.ts';
import { half, isOdd, isPowerOfTwo } from './tree-math.ts';

/**
 * RFC 9162 §2.1.4.2: whether `proof` shows the tree of size1 with root1 is a prefix of the tree of size2 with root2.
 * Beyond the RFC (which assumes 0 < size1 < size2): equal sizes need an empty proof and equal roots, and size1 = 0
 * needs an empty proof and root1 = the empty-tree hash. Untrusted input never throws.
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): boolean {
  if (!isCount(size1) || !isCount(size2) || size1 > size2) return false;
  if (!isHash(root1) || !isHash(root2) || !proof.every(isHash)) return false;
  if (size1 === size2) return proof.length === 0 && Buffer.from(root1).equals(root2);
  if (size1 === 0) return proof.length === 0 && emptyRoot().equals(root1);
  if (proof.length === 0) return false;

  // When size1 is a power of two its whole tree is one node of the bigger tree, and the proof omits that node.
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : [...proof];
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr: Buffer = Buffer.from(path[0]!);
  let sr = fr;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && fr.equals(root1) && sr.equals(root2);
}
