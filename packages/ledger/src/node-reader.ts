import { isHash } from './hashing.ts';

/** Address of a perfect subtree: node (level, index) covers leaves [index·2^level, (index+1)·2^level). */
export interface NodeCoord {
  level: number;
  index: number;
}

export interface StoredNode extends NodeCoord {
  hash: Buffer;
}

/**
 * Batched reader of stored node hashes: returns one 32-byte hash per coordinate, in the same order, or throws when a
 * node is not stored. The proof functions call it once per request so a database store can answer in one query.
 */
export type NodeReader = (coords: readonly NodeCoord[]) => Promise<Buffer[]>;

/** Calls the reader once and checks that it kept its contract, so a faulty store cannot yield a wrong proof silently. */
export async function readNodes(read: NodeReader, coords: readonly NodeCoord[]): Promise<Buffer[]> {
  if (coords.length === 0) return [];
  const hashes = await read(coords);
  if (hashes.length !== coords.length) {
    throw new Error(`node reader returned ${hashes.length} hashes for ${coords.length} coordinates`);
  }
  hashes.forEach((hash, i) => {
    if (!isHash(hash)) {
      const coord = coords[i]!;
      throw new Error(`node reader returned a ${hash.length}-byte hash for node (${coord.level}, ${coord.index})`);
    }
  });
  return hashes;
}
