import { LedgerRangeError } from './errors.ts';
import { foldRight } from './hashing.ts';
import { readNodes, type NodeReader } from './node-reader.ts';
import { consistencyPlan, inclusionPlan, type ProofPlan } from './proof-plans.ts';
import type { TreeBounds } from './root-at.ts';
import { assertCount, assertWithinTree } from './size-checks.ts';

/** RFC 9162 inclusion proof (audit path, leaf's sibling first) for the leaf at `index` in the tree of `size`. */
export async function inclusionProof(
  index: number,
  size: number,
  read: NodeReader,
  bounds: TreeBounds = {},
): Promise<Buffer[]> {
  assertCount(index, 'index');
  assertCount(size, 'size');
  assertWithinTree(size, 'size', bounds.treeSize);
  if (index >= size) throw new LedgerRangeError('index', index, '<', size, 'the tree size');
  return resolvePlan(inclusionPlan(index, size), read);
}

/** RFC 9162 consistency proof that the tree of size1 is a prefix of the tree of size2. */
export async function consistencyProof(
  size1: number,
  size2: number,
  read: NodeReader,
  bounds: TreeBounds = {},
): Promise<Buffer[]> {
  assertCount(size1, 'size1');
  assertCount(size2, 'size2');
  assertWithinTree(size2, 'size2', bounds.treeSize);
  if (size1 > size2) throw new LedgerRangeError('size1', size1, '<=', size2, 'size2');
  return resolvePlan(consistencyPlan(size1, size2), read);
}

async function resolvePlan(plan: ProofPlan, read: NodeReader): Promise<Buffer[]> {
  const hashes = await readNodes(read, plan.flat());
  let offset = 0;
  return plan.map((element) => {
    const parts = hashes.slice(offset, offset + element.length);
    offset += element.length;
    return foldRight(parts)!;
  });
}
