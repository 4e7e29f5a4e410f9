import { hash } from 'node:crypto';

/** Every hash in the log is SHA-256. */
export const HASH_SIZE = 32;

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** RFC 6962 §2.1: the hash of one leaf, SHA-256(0x00 || data). */
export function leafHash(data: Uint8Array): Buffer {
  return hash('sha256', Buffer.concat([LEAF_PREFIX, data]), 'buffer');
}

/** RFC 6962 §2.1: the hash of an interior node, SHA-256(0x01 || left || right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return hash('sha256', Buffer.concat([NODE_PREFIX, left, right]), 'buffer');
}

/** The Merkle tree hash of the empty tree, SHA-256 of the empty string. A fresh copy on every call. */
export function emptyRoot(): Buffer {
  return hash('sha256', Buffer.alloc(0), 'buffer');
}

export function isHash(value: Uint8Array): boolean {
  return value.length === HASH_SIZE;
}

/** MTH(D[n]) over leaf hashes already computed with leafHash, in O(n) hashing and O(log n) memory. */
export function rootOf(leafHashes: readonly Uint8Array[]): Buffer {
  // A stack of perfect subtrees with strictly decreasing levels, merged as leaves arrive (a "compact range").
  const stack: { level: number; hash: Buffer }[] = [];
  for (const leaf of leafHashes) {
    let node: { level: number; hash: Buffer } = { level: 0, hash: Buffer.from(leaf) };
    for (let top = stack.at(-1); top && top.level === node.level; top = stack.at(-1)) {
      stack.pop();
      node = { level: node.level + 1, hash: nodeHash(top.hash, node.hash) };
    }
    stack.push(node);
  }
  return foldRight(stack.map((entry) => entry.hash)) ?? emptyRoot();
}

/**
 * Combines the hashes of a range's perfect subtrees, listed left to right with decreasing sizes, into the range's
 * Merkle tree hash: the smallest two rightmost subtrees join first, as in the RFC 6962 recursion.
 */
export function foldRight(hashes: readonly Buffer[]): Buffer | undefined {
  let result = hashes.at(-1);
  for (let i = hashes.length - 2; i >= 0; i--) result = nodeHash(hashes[i]!, result!);
  return result;
}
