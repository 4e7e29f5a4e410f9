import { emptyRoot, foldRight } from './hashing.ts';
import { readNodes, type NodeReader } from './node-reader.ts';
import { assertCount, assertWithinTree } from './size-checks.ts';
import { perfectSubtrees } from './tree-math.ts';

export interface TreeBounds {
  /** The log's current size; sizes beyond it are refused with a LedgerRangeError instead of a failed read. */
  treeSize?: number;
}

/** MTH of the first `size` leaves, from the O(log size) perfect subtrees that tile them, in one read. */
export async function rootAt(size: number, read: NodeReader, bounds: TreeBounds = {}): Promise<Buffer> {
  assertCount(size, 'size');
  assertWithinTree(size, 'size', bounds.treeSize);
  const hashes = await readNodes(read, perfectSubtrees(0, size));
  return foldRight(hashes) ?? emptyRoot();
}
