import { describe, expect, it } from 'vitest';
import {
  encodeLeaf,
  leafHash,
  MemoryNodeStore,
  recomputeAndCompare,
  rootAt,
  type CommittedCheckpoint,
} from '../src/index.ts';
import { seededRandom } from './helpers.ts';

function makeLeaves(count: number): Buffer[] {
  return Array.from({ length: count }, (_, i) =>
    encodeLeaf({
      envelopeSha256: leafHash(Buffer.from(`envelope ${i}`)).toString('hex'),
      sequence: i + 1,
      receivedAt: new Date(Date.UTC(2026, 10, 28) + i * 1000),
      toe: `toe-${i % 3}`,
    }),
  );
}

/** The log as the service wrote it: its node store and checkpoints signed at the given sizes. */
async function honestLog(leaves: readonly Buffer[], checkpointSizes: readonly number[]) {
  const store = new MemoryNodeStore();
  await store.append(leaves.map((leaf) => leafHash(leaf)));
  const checkpoints: CommittedCheckpoint[] = [];
  for (const size of checkpointSizes) checkpoints.push({ size, rootHash: await rootAt(size, store.read) });
  return { store, checkpoints };
}

const leaves = makeLeaves(100);
const log = await honestLog(leaves, [10, 37, 64, 100]);
const hints = { committedNodes: log.store.read };
const forged = (i: number) =>
  encodeLeaf({ envelopeSha256: 'f'.repeat(64), sequence: i + 1, receivedAt: new Date(0), toe: 'x' });

describe('recomputeAndCompare', () => {
  it('passes the untouched log', async () => {
    expect(await recomputeAndCompare(leaves, log.checkpoints, hints)).toEqual({
      ok: true,
      leafCount: 100,
      committedSize: 100,
    });
  });

  it('passes rows appended after the last checkpoint; they are not yet committed', async () => {
    const more = [...leaves, ...makeLeaves(105).slice(100)];
    expect(await recomputeAndCompare(more, log.checkpoints)).toEqual({ ok: true, leafCount: 105, committedSize: 100 });
  });

  it.each([
    ['a changed row', leaves.map((leaf, i) => (i === 42 ? forged(i) : leaf)), 42],
    ['a deleted row', leaves.filter((_, i) => i !== 42), 42],
    ['two reordered rows', leaves.map((leaf, i) => leaves[i === 50 ? 51 : i === 51 ? 50 : i]!), 50],
    ['an inserted row', [...leaves.slice(0, 70), forged(70), ...leaves.slice(70)], 70],
    ['a changed first row', leaves.map((leaf, i) => (i === 0 ? forged(0) : leaf)), 0],
  ])('names the first leaf that differs after %s', async (_desc, tampered, index) => {
    const audit = await recomputeAndCompare(tampered, log.checkpoints, hints);
    expect(audit).toMatchObject({
      ok: false,
      located: 'leaf_differs',
      firstDifference: index,
      range: { from: index, to: index + 1 },
    });
    expect(audit).toMatchObject({ checkpointSize: [10, 37, 64, 100].find((size) => size > index) });
  });

  it('names where the stored rows end when the tail was deleted', async () => {
    expect(await recomputeAndCompare(leaves.slice(0, 90), log.checkpoints, hints)).toMatchObject({
      ok: false,
      located: 'leaves_missing',
      firstDifference: 90,
      checkpointSize: 100,
      range: { from: 90, to: 100 },
    });
  });

  it('without the node hints, narrows a change to the rows between two checkpoints', async () => {
    const tampered = leaves.map((leaf, i) => (i === 42 ? forged(i) : leaf));
    expect(await recomputeAndCompare(tampered, log.checkpoints)).toMatchObject({
      ok: false,
      located: 'not_located',
      firstDifference: 37,
      range: { from: 37, to: 64 },
    });
  });

  it('without hints, names the exact row when a checkpoint was signed after every append', async () => {
    const everySize = await honestLog(
      leaves,
      Array.from({ length: 100 }, (_, i) => i + 1),
    );
    const tampered = leaves.filter((_, i) => i !== 77);
    expect(await recomputeAndCompare(tampered, everySize.checkpoints)).toMatchObject({
      located: 'leaf_differs',
      firstDifference: 77,
    });
  });

  it('stays sound when the node table was rewritten to match the tampered rows', async () => {
    const tampered = leaves.map((leaf, i) => (i === 42 ? forged(i) : leaf));
    const rewritten = new MemoryNodeStore();
    await rewritten.append(tampered.map((leaf) => leafHash(leaf)));
    const audit = await recomputeAndCompare(tampered, log.checkpoints, { committedNodes: rewritten.read });
    if (audit.ok) return expect.fail('tampering went unnoticed');
    expect(audit.range.from).toBeLessThanOrEqual(42);
    expect(audit.range.to).toBeGreaterThan(42);
    if (audit.located === 'leaf_differs') expect(audit.firstDifference).toBe(42);
  });

  it('stays sound when node hints are missing', async () => {
    const tampered = leaves.map((leaf, i) => (i === 42 ? forged(i) : leaf));
    const audit = await recomputeAndCompare(tampered, log.checkpoints, {
      committedNodes: async () => {
        throw new Error('node table unavailable');
      },
    });
    expect(audit).toMatchObject({ ok: false, located: 'not_located', range: { from: 37, to: 64 } });
  });

  it('reports two signed checkpoints of the same size that disagree', async () => {
    const conflicting = [...log.checkpoints, { size: 37, rootHash: leafHash(Buffer.from('other')) }];
    expect(await recomputeAndCompare(leaves, conflicting)).toMatchObject({
      ok: false,
      located: 'conflicting_checkpoints',
    });
  });

  it('refuses checkpoints that are not tree heads', async () => {
    await expect(recomputeAndCompare(leaves, [{ size: 3, rootHash: Buffer.alloc(3) }])).rejects.toThrow(TypeError);
    await expect(recomputeAndCompare(leaves, [{ size: 0, rootHash: leafHash(leaves[0]!) }])).rejects.toThrow(TypeError);
    await expect(recomputeAndCompare(leaves, [{ size: -1, rootHash: leafHash(leaves[0]!) }])).rejects.toThrow(
      TypeError,
    );
  });

  it('names the first differing leaf for random tamperings of random logs', async () => {
    const random = seededRandom(9162);
    for (let round = 0; round < 60; round++) {
      const original = makeLeaves(2 + random(400));
      const sizes = [...new Set(Array.from({ length: 1 + random(5) }, () => 1 + random(original.length)))];
      const honest = await honestLog(original, sizes);
      const tampered = [...original];
      const at = random(original.length);
      const operation = random(4);
      if (operation === 0) tampered[at] = forged(at);
      else if (operation === 1) tampered.splice(at, 1);
      else if (operation === 2) tampered.splice(at, 0, forged(at));
      else tampered.splice(at);
      let first = 0;
      while (first < tampered.length && first < original.length && tampered[first]!.equals(original[first]!)) first++;

      const audit = await recomputeAndCompare(tampered, honest.checkpoints, { committedNodes: honest.store.read });
      const committed = Math.max(...sizes);
      if (first >= committed) {
        expect(audit.ok, `round ${round}`).toBe(true);
        continue;
      }
      expect(audit, `round ${round}: operation ${operation} at ${at}`).toMatchObject({
        ok: false,
        firstDifference: first,
        located: first === tampered.length ? 'leaves_missing' : 'leaf_differs',
        checkpointSize: Math.min(...sizes.filter((size) => size > first)),
      });
    }
  });
});
