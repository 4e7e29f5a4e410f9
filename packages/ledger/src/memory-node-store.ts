import { nodesToAppend } from './append.ts';
import { HASH_SIZE, isHash } from './hashing.ts';
import type { NodeCoord, NodeReader, StoredNode } from './node-reader.ts';
import { isCount } from './size-checks.ts';

const APPEND_CHUNK = 65_536;

/**
 * Node hashes kept in memory, one contiguous buffer per level, append-only like the database store. For tests,
 * the verifier CLI, and recomputing a log from its leaves.
 */
export class MemoryNodeStore {
  readonly #levels: Buffer[] = [];
  readonly #counts: number[] = [];

  /** Number of leaves stored. */
  get size(): number {
    return this.#counts[0] ?? 0;
  }

  readonly read: NodeReader = async (coords) => coords.map((coord) => this.get(coord));

  get(coord: NodeCoord): Buffer {
    const level = this.#levels[coord.level];
    if (!level || !Number.isInteger(coord.index) || coord.index < 0 || coord.index >= this.#counts[coord.level]!) {
      throw new Error(`node (${coord.level}, ${coord.index}) is not stored`);
    }
    const offset = coord.index * HASH_SIZE;
    return Buffer.from(level.subarray(offset, offset + HASH_SIZE));
  }

  /** Stores nodes in append order: each must be the next of its level, or repeat a stored node with the same hash. */
  put(nodes: readonly StoredNode[]): void {
    for (const node of nodes) {
      if (!isCount(node.level) || !isCount(node.index) || !isHash(node.hash)) {
        throw new TypeError(`node (${node.level}, ${node.index}) is not a valid coordinate with a 32-byte hash`);
      }
      const count = this.#counts[node.level] ?? 0;
      if (node.index < count) {
        if (!this.get(node).equals(node.hash)) {
          throw new Error(`node (${node.level}, ${node.index}) is already stored with a different hash`);
        }
        continue;
      }
      if (node.index !== count) {
        throw new Error(`node (${node.level}, ${node.index}) skips ahead of level ${node.level}, which holds ${count}`);
      }
      this.#ensureCapacity(node.level, count + 1);
      node.hash.copy(this.#levels[node.level]!, count * HASH_SIZE);
      this.#counts[node.level] = count + 1;
    }
  }

  /** Appends leaf hashes, computing and storing the nodes they complete; returns the new size. */
  async append(leafHashes: readonly Uint8Array[]): Promise<number> {
    for (let start = 0; start < leafHashes.length; start += APPEND_CHUNK) {
      this.put(await nodesToAppend(this.size, leafHashes.slice(start, start + APPEND_CHUNK), this.read));
    }
    return this.size;
  }

  #ensureCapacity(level: number, count: number): void {
    while (this.#levels.length <= level) {
      this.#levels.push(Buffer.alloc(0));
      this.#counts.push(0);
    }
    const current = this.#levels[level]!;
    if (current.length >= count * HASH_SIZE) return;
    const grown = Buffer.alloc(Math.max(count, (current.length / HASH_SIZE) * 2, 16) * HASH_SIZE);
    current.copy(grown);
    this.#levels[level] = grown;
  }
}
