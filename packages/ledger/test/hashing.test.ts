import { describe, expect, it } from 'vitest';
import { emptyRoot, leafHash, nodeHash, rootOf } from '../src/index.ts';
import { hasherVectors, treeVectors } from './fixtures/rfc6962-vectors.ts';
import { hex, makeLeafHashes, referenceRoot } from './helpers.ts';

describe('RFC 6962 hashing (vectors: transparency-dev/merkle rfc6962_test.go)', () => {
  it('hashes the empty tree as SHA-256 of the empty string', () => {
    expect(emptyRoot().toString('hex')).toBe(hasherVectors.emptyRoot);
    expect(rootOf([]).toString('hex')).toBe(hasherVectors.emptyRoot);
  });

  it('prefixes leaves with 0x00, so an empty leaf differs from the empty tree', () => {
    expect(leafHash(Buffer.alloc(0)).toString('hex')).toBe(hasherVectors.emptyLeaf);
    expect(leafHash(Buffer.from(hasherVectors.leaf.data)).toString('hex')).toBe(hasherVectors.leaf.hash);
  });

  it('prefixes interior nodes with 0x01', () => {
    const { left, right, hash } = hasherVectors.node;
    expect(nodeHash(Buffer.from(left), Buffer.from(right)).toString('hex')).toBe(hash);
    expect(nodeHash(Buffer.from(right), Buffer.from(left)).toString('hex')).not.toBe(hash);
  });

  it('returns a fresh empty root each time, so a caller cannot corrupt it', () => {
    const root = emptyRoot();
    root.fill(0);
    expect(emptyRoot().toString('hex')).toBe(hasherVectors.emptyRoot);
  });
});

describe('rootOf', () => {
  it('reproduces the published roots of the 8-leaf reference tree (transparency-dev/merkle verify_test.go)', () => {
    const hashes = treeVectors.leaves.map((data) => leafHash(hex(data)));
    treeVectors.roots.forEach((root, i) => {
      expect(rootOf(hashes.slice(0, i + 1)).toString('hex'), `size ${i + 1}`).toBe(root);
    });
  });

  it('matches the literal RFC recursion for every size up to 300', () => {
    const hashes = makeLeafHashes(300);
    for (let size = 1; size <= 300; size++) {
      expect(rootOf(hashes.slice(0, size)).equals(referenceRoot(hashes.slice(0, size))), `size ${size}`).toBe(true);
    }
  });
});
