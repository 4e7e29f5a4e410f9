import { isHash, nodeHash } from './hashing.ts';
import { readNodes, type NodeReader, type StoredNode } from './node-reader.ts';
import { assertCount } from './size-checks.ts';
import { perfectSubtrees } from './tree-math.ts';

/**
 * The nodes to store when appending leaf hashes to a tree of `existingSize` leaves: every new leaf (level 0) and
 * every perfect subtree the batch completes, in the order they complete. Reads only the right edge of the existing
 * tree (one node per set bit of existingSize), once.
 */
export async function nodesToAppend(
  existingSize: number,
  newLeafHashes: readonly Uint8Array[],
  read: NodeReader,
): Promise<StoredNode[]> {
  assertCount(existingSize, 'existingSize');
  newLeafHashes.forEach((hash, i) => {
    if (!isHash(hash)) throw new TypeError(`leaf hash ${i} of the batch is ${hash.length} bytes, expected 32`);
  });
  const edge = perfectSubtrees(0, existingSize);
  const edgeHashes = await readNodes(read, edge);
  // Pending perfect subtrees with strictly decreasing levels; a new node merges with the top while levels match.
  const stack = edge.map((coord, i) => ({ level: coord.level, hash: edgeHashes[i]! }));
  const created: StoredNode[] = [];
  let size = existingSize;
  for (const leaf of newLeafHashes) {
    size += 1;
    let node: { level: number; hash: Buffer } = { level: 0, hash: Buffer.from(leaf) };
    created.push({ level: 0, index: size - 1, hash: node.hash });
    for (let top = stack.at(-1); top && top.level === node.level; top = stack.at(-1)) {
      stack.pop();
      node = { level: node.level + 1, hash: nodeHash(top.hash, node.hash) };
      // The completed subtree ends at leaf size - 1, so it is the (size / 2^level - 1)-th of its level.
      created.push({ level: node.level, index: size / 2 ** node.level - 1, hash: node.hash });
    }
    stack.push(node);
  }
  return created;
}
