import { describe, expect, it } from 'vitest';
import {
  consistencyProof,
  inclusionProof,
  rootAt,
  verifyConsistency,
  verifyInclusion,
  type MemoryNodeStore,
} from '../src/index.ts';
import {
  makeLeafHashes,
  recordingReader,
  referenceConsistency,
  referencePath,
  referenceRoot,
  seededRandom,
  storeOf,
} from './helpers.ts';

const SMALL = 300;
const hashes = makeLeafHashes(SMALL);
const store = storeOf(hashes);
const roots = store.then(async (s) => {
  const all: Buffer[] = [];
  for (let size = 0; size <= SMALL; size++) all.push(await rootAt(size, s.read));
  return all;
});

function tamperings(proof: readonly Buffer[]): [string, Buffer[]][] {
  const cases: [string, Buffer[]][] = [];
  proof.forEach((_, i) => {
    const flipped = proof.map((hash) => Buffer.from(hash));
    flipped[i]![31]! ^= 1;
    cases.push([`element ${i} flipped`, flipped]);
  });
  if (proof.length > 0) cases.push(['last element dropped', proof.slice(0, -1)]);
  cases.push(['element appended', [...proof, proof[0] ?? hashes[0]!]]);
  if (proof.length > 1) cases.push(['two elements swapped', [proof[1]!, proof[0]!, ...proof.slice(2)]]);
  return cases;
}

describe(`every tree size from 1 to ${SMALL}`, () => {
  it('computes each root from stored nodes as the RFC recursion does', async () => {
    const all = await roots;
    for (let size = 1; size <= SMALL; size++) {
      expect(all[size]!.equals(referenceRoot(hashes.slice(0, size))), `size ${size}`).toBe(true);
    }
  });

  it('generates, for every leaf, the RFC audit path, which verifies', async () => {
    const s = await store;
    const all = await roots;
    for (let size = 1; size <= SMALL; size++) {
      for (let index = 0; index < size; index++) {
        const proof = await inclusionProof(index, size, s.read);
        const ok = verifyInclusion(hashes[index]!, index, size, proof, all[size]!);
        if (!ok) expect.fail(`inclusion of ${index} in ${size} does not verify`);
        if (size <= 64) {
          const reference = referencePath(index, hashes.slice(0, size));
          expect(proof, `path of ${index} in ${size}`).toEqual(reference);
        }
      }
    }
  });

  it('generates, for every pair of sizes, the RFC consistency proof, which verifies', async () => {
    const s = await store;
    const all = await roots;
    for (let size2 = 1; size2 <= SMALL; size2++) {
      for (let size1 = 0; size1 <= size2; size1++) {
        const proof = await consistencyProof(size1, size2, s.read);
        if (!verifyConsistency(size1, size2, proof, all[size1]!, all[size2]!)) {
          expect.fail(`consistency ${size1} → ${size2} does not verify`);
        }
        if (size2 <= 64 && size1 > 0 && size1 < size2) {
          expect(proof, `proof ${size1} → ${size2}`).toEqual(referenceConsistency(size1, hashes.slice(0, size2)));
        }
      }
    }
  });

  it('refuses every tampered inclusion proof for trees up to 64 leaves', async () => {
    const s = await store;
    const all = await roots;
    for (let size = 1; size <= 64; size++) {
      for (let index = 0; index < size; index++) {
        const proof = await inclusionProof(index, size, s.read);
        for (const [desc, tampered] of tamperings(proof)) {
          if (verifyInclusion(hashes[index]!, index, size, tampered, all[size]!)) {
            expect.fail(`tampered inclusion proof (${desc}) of ${index} in ${size} verified`);
          }
        }
        const otherLeaf = hashes[(index + 1) % SMALL]!;
        expect(verifyInclusion(otherLeaf, index, size, proof, all[size]!)).toBe(false);
        if (size > 1) expect(verifyInclusion(hashes[index]!, index, size, proof, all[size - 1]!)).toBe(false);
      }
    }
  });

  it('refuses every tampered consistency proof for trees up to 64 leaves', async () => {
    const s = await store;
    const all = await roots;
    for (let size2 = 2; size2 <= 64; size2++) {
      for (let size1 = 1; size1 < size2; size1++) {
        const proof = await consistencyProof(size1, size2, s.read);
        for (const [desc, tampered] of tamperings(proof)) {
          if (verifyConsistency(size1, size2, tampered, all[size1]!, all[size2]!)) {
            expect.fail(`tampered consistency proof (${desc}) ${size1} → ${size2} verified`);
          }
        }
        expect(verifyConsistency(size1, size2, proof, all[size1 - 1]!, all[size2]!)).toBe(false);
        expect(verifyConsistency(size1, size2, proof, all[size1]!, all[size2 - 1]!)).toBe(false);
      }
    }
  });
});

describe('random larger trees', () => {
  const random = seededRandom(6962);
  const LARGE = 20_000;
  const largeHashes = makeLeafHashes(LARGE, 'large');
  let largeStore: MemoryNodeStore | undefined;
  const getStore = async () => (largeStore ??= await storeOf(largeHashes));

  it('verifies proofs at random sizes and indexes, each built from one batched read of O(log n) nodes', async () => {
    const s = await getStore();
    for (let round = 0; round < 300; round++) {
      const size2 = 1 + random(LARGE);
      const size1 = random(size2 + 1);
      const index = random(size2);
      const recorder = recordingReader(s.read);
      const [root1, root2] = [await rootAt(size1, s.read), await rootAt(size2, s.read)];
      const inclusion = await inclusionProof(index, size2, recorder.read);
      const consistency = await consistencyProof(size1, size2, recorder.read);
      expect(recorder.calls.length).toBeLessThanOrEqual(2);
      for (const call of recorder.calls) expect(call.length).toBeLessThanOrEqual(2 * Math.log2(LARGE) + 2);
      expect(verifyInclusion(largeHashes[index]!, index, size2, inclusion, root2), `${index} in ${size2}`).toBe(true);
      expect(verifyConsistency(size1, size2, consistency, root1, root2), `${size1} → ${size2}`).toBe(true);
      if (consistency.length > 0) {
        const flipped = consistency.map((hash) => Buffer.from(hash));
        flipped[random(flipped.length)]![0]! ^= 0x80;
        expect(verifyConsistency(size1, size2, flipped, root1, root2)).toBe(false);
      }
    }
  });

  it('matches the literal RFC recursion at a few random sizes', async () => {
    const s = await getStore();
    for (let round = 0; round < 5; round++) {
      const size = 1 + random(LARGE);
      const index = random(size);
      expect((await rootAt(size, s.read)).equals(referenceRoot(largeHashes.slice(0, size)))).toBe(true);
      expect(await inclusionProof(index, size, s.read)).toEqual(referencePath(index, largeHashes.slice(0, size)));
    }
  });
});
