import { createPrivateKey, type KeyObject } from 'node:crypto';
import { expect } from 'vitest';
import { CheckpointError, leafHash, MemoryNodeStore, nodeHash, type NodeCoord, type NodeReader } from '../src/index.ts';

export const hex = (text: string): Buffer => Buffer.from(text, 'hex');

/** The reason of the CheckpointError `fn` throws; fails the test when it throws anything else or nothing. */
export function reasonOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(CheckpointError);
    return (error as CheckpointError).reason;
  }
  return expect.fail('expected a CheckpointError');
}

/** Deterministic distinct leaf hashes. */
export function makeLeafHashes(count: number, label = 'leaf'): Buffer[] {
  return Array.from({ length: count }, (_, i) => leafHash(Buffer.from(`${label} ${i}`)));
}

export async function storeOf(hashes: readonly Buffer[]): Promise<MemoryNodeStore> {
  const store = new MemoryNodeStore();
  await store.append(hashes);
  return store;
}

/** mulberry32: a small seeded generator, so "random" property tests are reproducible. */
export function seededRandom(seed: number): (below: number) => number {
  let state = seed >>> 0;
  return (below) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * below);
  };
}

/** Wraps a reader to record each batch it is asked for. */
export function recordingReader(read: NodeReader): { read: NodeReader; calls: NodeCoord[][] } {
  const calls: NodeCoord[][] = [];
  return {
    calls,
    read: async (coords) => {
      calls.push([...coords]);
      return read(coords);
    },
  };
}

/** An Ed25519 private key from its 32-byte RFC 8032 seed (PKCS#8 DER: fixed 16-byte prefix, then the seed). */
export function ed25519FromSeed(seed: Buffer): KeyObject {
  const prefix = Buffer.from('302e020100300506032b657004220420', 'hex');
  return createPrivateKey({ key: Buffer.concat([prefix, seed]), format: 'der', type: 'pkcs8' });
}

// The RFC 9162 §2.1 definitions, transcribed literally over arrays of leaf hashes: a reference model that shares
// no code with the storage-based implementation.

function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

export function referenceRoot(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 1) return leaves[0]!;
  const k = splitPoint(leaves.length);
  return nodeHash(referenceRoot(leaves.slice(0, k)), referenceRoot(leaves.slice(k)));
}

export function referencePath(m: number, leaves: readonly Buffer[]): Buffer[] {
  if (leaves.length === 1) return [];
  const k = splitPoint(leaves.length);
  return m < k
    ? [...referencePath(m, leaves.slice(0, k)), referenceRoot(leaves.slice(k))]
    : [...referencePath(m - k, leaves.slice(k)), referenceRoot(leaves.slice(0, k))];
}

export function referenceConsistency(m: number, leaves: readonly Buffer[]): Buffer[] {
  const subproof = (m: number, d: readonly Buffer[], b: boolean): Buffer[] => {
    if (m === d.length) return b ? [] : [referenceRoot(d)];
    const k = splitPoint(d.length);
    return m <= k
      ? [...subproof(m, d.slice(0, k), b), referenceRoot(d.slice(k))]
      : [...subproof(m - k, d.slice(k), false), referenceRoot(d.slice(0, k))];
  };
  return subproof(m, leaves, true);
}
