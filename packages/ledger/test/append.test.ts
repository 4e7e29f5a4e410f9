import { describe, expect, it } from 'vitest';
import { MemoryNodeStore, nodesToAppend, perfectSubtrees, rootAt, type StoredNode } from '../src/index.ts';
import { makeLeafHashes, recordingReader, referenceRoot, seededRandom } from './helpers.ts';

const key = (node: StoredNode) => `${node.level}:${node.index}:${node.hash.toString('hex')}`;

async function appendInBatches(hashes: readonly Buffer[], batchSizes: () => number) {
  const store = new MemoryNodeStore();
  const nodes: StoredNode[] = [];
  for (let start = 0; start < hashes.length; ) {
    const batch = hashes.slice(start, start + batchSizes());
    const created = await nodesToAppend(store.size, batch, store.read);
    store.put(created);
    nodes.push(...created);
    start += batch.length;
  }
  return { store, nodes };
}

describe('nodesToAppend', () => {
  const hashes = makeLeafHashes(1000);

  it('stores exactly the perfect subtrees, each with the hash of the leaves it covers', async () => {
    const { nodes } = await appendInBatches(hashes.slice(0, 100), () => 1);
    const expected: string[] = [];
    for (let level = 0; 2 ** level <= 100; level++) {
      for (let index = 0; (index + 1) * 2 ** level <= 100; index++) {
        const covered = hashes.slice(index * 2 ** level, (index + 1) * 2 ** level);
        expected.push(`${level}:${index}:${referenceRoot(covered).toString('hex')}`);
      }
    }
    expect(nodes.map(key).sort()).toEqual(expected.sort());
  });

  it('gives the same nodes, in the same order, for batches of any size as for one leaf at a time', async () => {
    const oneByOne = await appendInBatches(hashes, () => 1);
    const random = seededRandom(42);
    for (const batchSizes of [() => 1000, () => 7, () => 64, () => 1 + random(100), () => 1 + random(3)]) {
      const batched = await appendInBatches(hashes, batchSizes);
      expect(batched.nodes.map(key)).toEqual(oneByOne.nodes.map(key));
      expect((await rootAt(1000, batched.store.read)).equals(referenceRoot(hashes))).toBe(true);
    }
  });

  it('reads the right edge of the existing tree once, one node per set bit of its size', async () => {
    const store = new MemoryNodeStore();
    await store.append(hashes.slice(0, 677)); // 677 = 0b1010100101: five perfect subtrees on the right edge
    const recorder = recordingReader(store.read);
    await nodesToAppend(677, hashes.slice(677, 900), recorder.read);
    expect(recorder.calls).toEqual([perfectSubtrees(0, 677)]);
    expect(recorder.calls[0]).toHaveLength(5);
  });

  it('does not read at all when the tree is empty, and returns nothing for an empty batch', async () => {
    const recorder = recordingReader(async () => expect.fail('no read expected'));
    expect(await nodesToAppend(0, hashes.slice(0, 3), recorder.read)).toHaveLength(4); // 3 leaves + node (1, 0)
    const store = new MemoryNodeStore();
    await store.append(hashes.slice(0, 5));
    expect(await nodesToAppend(5, [], store.read)).toEqual([]);
  });

  it('refuses leaf hashes that are not 32 bytes', async () => {
    await expect(nodesToAppend(0, [Buffer.alloc(31)], new MemoryNodeStore().read)).rejects.toThrow(/32/);
  });

  it('fails when the reader breaks its contract, instead of building on a wrong edge', async () => {
    await expect(nodesToAppend(3, hashes.slice(0, 1), async () => [hashes[0]!])).rejects.toThrow(/returned 1 hashes/);
    await expect(nodesToAppend(1, hashes.slice(0, 1), async () => [Buffer.alloc(8)])).rejects.toThrow(/8-byte/);
  });
});

describe('MemoryNodeStore', () => {
  const hashes = makeLeafHashes(10);

  it('appends in chunks and serves stored nodes', async () => {
    const store = new MemoryNodeStore();
    expect(await store.append(hashes)).toBe(10);
    expect(store.get({ level: 0, index: 9 }).equals(hashes[9]!)).toBe(true);
    expect(store.get({ level: 3, index: 0 }).equals(referenceRoot(hashes.slice(0, 8)))).toBe(true);
  });

  it('throws for nodes it does not hold: incomplete subtrees and indexes past the end', async () => {
    const store = new MemoryNodeStore();
    await store.append(hashes);
    expect(() => store.get({ level: 1, index: 5 })).toThrow(/not stored/);
    expect(() => store.get({ level: 4, index: 0 })).toThrow(/not stored/);
    await expect(store.read([{ level: 0, index: 10 }])).rejects.toThrow(/not stored/);
  });

  it('is append-only: it refuses a different hash for a stored node and a gap in a level', async () => {
    const store = new MemoryNodeStore();
    await store.append(hashes);
    expect(() => store.put([{ level: 0, index: 3, hash: hashes[4]! }])).toThrow(/different hash/);
    expect(() => store.put([{ level: 0, index: 12, hash: hashes[4]! }])).toThrow(/skips ahead/);
    store.put([{ level: 0, index: 3, hash: hashes[3]! }]); // an identical repeat is harmless
    expect(store.size).toBe(10);
  });

  it('returns copies, so a caller cannot change stored hashes', async () => {
    const store = new MemoryNodeStore();
    await store.append(hashes);
    store.get({ level: 0, index: 0 }).fill(0);
    expect(store.get({ level: 0, index: 0 }).equals(hashes[0]!)).toBe(true);
  });
});
