import { describe, expect, it } from 'vitest';
import {
  consistencyPlan,
  consistencyProof,
  inclusionPlan,
  inclusionProof,
  leafHash,
  rootAt,
  verifyConsistency,
  verifyInclusion,
  type NodeCoord,
} from '../src/index.ts';
import {
  consistencyNodeVectors,
  inclusionNodeVectors,
  treeVectors,
  type NodePlanVector,
} from './fixtures/rfc6962-vectors.ts';
import { hex, storeOf } from './helpers.ts';

const leafHashes = treeVectors.leaves.map((data) => leafHash(hex(data)));
const root = (size: number) => hex(treeVectors.roots[size - 1]!);
const someHash = hex('abacaba000000000000000000000000000000000000000000060061e00123456');
const emptyTreeHash = hex('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');

/** Upstream lists proof nodes bottom-up with a rehashed run combined from its last id down; ours groups each
 * proof element's nodes left to right, so a rehashed run is reversed into one group. */
function toPlan(vector: NodePlanVector): NodeCoord[][] {
  const node = ([level, index]: [number, number]) => ({ level, index });
  const [begin, end] = vector.rehash ?? [vector.ids.length, vector.ids.length];
  return [
    ...vector.ids.slice(0, begin).map((id) => [node(id)]),
    ...(end > begin ? [vector.ids.slice(begin, end).reverse().map(node)] : []),
    ...vector.ids.slice(end).map((id) => [node(id)]),
  ];
}

describe('which stored nodes a proof reads (transparency-dev/merkle proof_test.go)', () => {
  it.each(inclusionNodeVectors)('inclusion of leaf $index in tree of size $size', (vector) => {
    expect(inclusionPlan(vector.index, vector.size)).toEqual(toPlan(vector));
  });

  it.each(consistencyNodeVectors)('consistency from size $size1 to $size2', (vector) => {
    expect(consistencyPlan(vector.size1, vector.size2)).toEqual(toPlan(vector));
  });
});

describe('proofs of the 8-leaf reference tree (transparency-dev/merkle verify_test.go)', () => {
  it('reproduces the published roots from stored nodes', async () => {
    const store = await storeOf(leafHashes);
    for (let size = 1; size <= 8; size++) expect((await rootAt(size, store.read)).equals(root(size))).toBe(true);
  });

  it.each(treeVectors.inclusion)('generates the published inclusion proof for leaf $index of $size', async (vector) => {
    const store = await storeOf(leafHashes);
    const proof = await inclusionProof(vector.index, vector.size, store.read);
    expect(proof.map((hash) => hash.toString('hex'))).toEqual(vector.proof);
  });

  it.each(treeVectors.consistency)('generates the published consistency proof $size1 → $size2', async (vector) => {
    const store = await storeOf(leafHashes);
    const proof = await consistencyProof(vector.size1, vector.size2, store.read);
    expect(proof.map((hash) => hash.toString('hex'))).toEqual(vector.proof);
  });

  it.each(treeVectors.inclusion)('verifies the published inclusion proof for leaf $index of $size', (vector) => {
    const proof = vector.proof.map(hex);
    const leaf = leafHashes[vector.index]!;
    const treeRoot = root(vector.size);
    expect(verifyInclusion(leaf, vector.index, vector.size, proof, treeRoot)).toBe(true);

    // The corruptions of upstream's corruptInclusionProof: each must be refused.
    const probes: [string, number, number, Buffer, Buffer[], Buffer][] = [
      ['index - 1', vector.index - 1, vector.size, leaf, proof, treeRoot],
      ['index + 1', vector.index + 1, vector.size, leaf, proof, treeRoot],
      ['index ^ 2', vector.index ^ 2, vector.size, leaf, proof, treeRoot],
      ['size * 2', vector.index, vector.size * 2, leaf, proof, treeRoot],
      ['size / 2', vector.index, Math.floor(vector.size / 2), leaf, proof, treeRoot],
      ['wrong leaf', vector.index, vector.size, leafHash(Buffer.from('WrongLeaf')), proof, treeRoot],
      ['empty root', vector.index, vector.size, leaf, proof, emptyTreeHash],
      ['random root', vector.index, vector.size, leaf, proof, someHash],
      ['trailing garbage', vector.index, vector.size, leaf, [...proof, Buffer.alloc(0)], treeRoot],
      ['trailing root', vector.index, vector.size, leaf, [...proof, treeRoot], treeRoot],
      ['preceding garbage', vector.index, vector.size, leaf, [Buffer.alloc(0), ...proof], treeRoot],
      ['preceding root', vector.index, vector.size, leaf, [treeRoot, ...proof], treeRoot],
    ];
    proof.forEach((_, i) => {
      const flipped = proof.map((hash) => Buffer.from(hash));
      flipped[i]![0]! ^= 8;
      probes.push([`proof[${i}] bit 3 flipped`, vector.index, vector.size, leaf, flipped, treeRoot]);
    });
    if (proof.length > 0)
      probes.push(['removed component', vector.index, vector.size, leaf, proof.slice(0, -1), treeRoot]);
    if (proof.length > 1) {
      probes.push([
        'inserted component',
        vector.index,
        vector.size,
        leaf,
        [proof[0]!, someHash, ...proof.slice(1)],
        treeRoot,
      ]);
    }
    for (const [desc, index, size, probeLeaf, probeProof, probeRoot] of probes) {
      expect(verifyInclusion(probeLeaf, index, size, probeProof, probeRoot), desc).toBe(false);
    }
  });

  it.each(treeVectors.consistency)('verifies the published consistency proof $size1 → $size2', (vector) => {
    const proof = vector.proof.map(hex);
    const root1 = root(vector.size1);
    const root2 = root(vector.size2);
    expect(verifyConsistency(vector.size1, vector.size2, proof, root1, root2)).toBe(true);
    if (proof.length === 0) return; // upstream probes only non-trivial proofs

    // The corruptions of upstream's corruptConsistencyProof: each must be refused.
    const { size1, size2 } = vector;
    const probes: [string, number, number, Buffer[], Buffer, Buffer][] = [
      ['size1 - 1', size1 - 1, size2, proof, root1, root2],
      ['size1 + 1', size1 + 1, size2, proof, root1, root2],
      ['size1 ^ 2', size1 ^ 2, size2, proof, root1, root2],
      ['size2 * 2', size1, size2 * 2, proof, root1, root2],
      ['size2 / 2', size1, Math.floor(size2 / 2), proof, root1, root2],
      ['wrong root1', size1, size2, proof, someHash, root2],
      ['wrong root2', size1, size2, proof, root1, someHash],
      ['swapped roots', size1, size2, proof, root2, root1],
      ['empty proof', size1, size2, [], root1, root2],
      ['trailing garbage', size1, size2, [...proof, Buffer.alloc(0)], root1, root2],
      ['trailing root1', size1, size2, [...proof, root1], root1, root2],
      ['trailing root2', size1, size2, [...proof, root2], root1, root2],
      ['preceding garbage', size1, size2, [Buffer.alloc(0), ...proof], root1, root2],
      ['preceding root1', size1, size2, [root1, ...proof], root1, root2],
      ['preceding root2', size1, size2, [root2, ...proof], root1, root2],
      ['preceding proof[0]', size1, size2, [proof[0]!, ...proof], root1, root2],
      ['truncated proof', size1, size2, proof.slice(0, -1), root1, root2],
    ];
    proof.forEach((_, i) => {
      const flipped = proof.map((hash) => Buffer.from(hash));
      flipped[i]![0]! ^= 16;
      probes.push([`proof[${i}] bit 4 flipped`, size1, size2, flipped, root1, root2]);
    });
    for (const [desc, s1, s2, probeProof, r1, r2] of probes) {
      expect(verifyConsistency(s1, s2, probeProof, r1, r2), desc).toBe(false);
    }
  });
});

describe('verifier edge cases', () => {
  const leaf = leafHashes[0]!;

  it('refuses inclusion in an empty tree and indexes beyond the size', () => {
    expect(verifyInclusion(leaf, 0, 0, [], emptyTreeHash)).toBe(false);
    expect(verifyInclusion(leaf, 1, 1, [], leaf)).toBe(false);
    expect(verifyInclusion(leaf, -1, 1, [], leaf)).toBe(false);
  });

  it('takes a one-leaf tree with an empty proof, only for the matching root and 32-byte hashes', () => {
    expect(verifyInclusion(leaf, 0, 1, [], leaf)).toBe(true);
    expect(verifyInclusion(leaf, 0, 1, [], someHash)).toBe(false);
    expect(verifyInclusion(Buffer.alloc(0), 0, 1, [], Buffer.alloc(0))).toBe(false);
  });

  it('treats equal sizes as consistent only with an empty proof and equal roots', () => {
    expect(verifyConsistency(5, 5, [], root(5), root(5))).toBe(true);
    expect(verifyConsistency(5, 5, [], root(5), root(6))).toBe(false);
    expect(verifyConsistency(5, 5, [root(5)], root(5), root(5))).toBe(false);
  });

  it('treats the empty tree as consistent with any tree, given its true root and an empty proof', () => {
    expect(verifyConsistency(0, 8, [], emptyTreeHash, root(8))).toBe(true);
    expect(verifyConsistency(0, 8, [], someHash, root(8))).toBe(false);
    expect(verifyConsistency(0, 8, [emptyTreeHash], emptyTreeHash, root(8))).toBe(false);
  });

  it('refuses shrinking trees and empty proofs between different sizes', () => {
    expect(verifyConsistency(2, 1, [], root(2), root(1))).toBe(false);
    expect(verifyConsistency(1, 2, [], root(1), root(2))).toBe(false);
  });
});
