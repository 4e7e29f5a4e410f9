import { describe, expect, it } from 'vitest';
import { consistencyProof, inclusionProof, LedgerRangeError, nodesToAppend, rootAt } from '../src/index.ts';
import { makeLeafHashes, storeOf } from './helpers.ts';

async function rangeError(promise: Promise<unknown>): Promise<LedgerRangeError> {
  const error = await promise.then(
    () => expect.fail('expected a LedgerRangeError'),
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(LedgerRangeError);
  return error as LedgerRangeError;
}

describe('range errors name the field and the limit it broke', async () => {
  const store = await storeOf(makeLeafHashes(10));
  const bounds = { treeSize: store.size };

  it('index must be below the tree size', async () => {
    const error = await rangeError(inclusionProof(7, 7, store.read, bounds));
    expect(error).toMatchObject({ field: 'index', value: 7, relation: '<', limit: 7 });
    expect(error.message).toMatch(/index must be < the tree size \(7\), got 7/);
    await rangeError(inclusionProof(0, 0, store.read));
  });

  it('size1 must not exceed size2', async () => {
    const error = await rangeError(consistencyProof(6, 5, store.read, bounds));
    expect(error).toMatchObject({ field: 'size1', value: 6, relation: '<=', limit: 5 });
  });

  it("sizes must not exceed the log's current size", async () => {
    expect(await rangeError(inclusionProof(0, 11, store.read, bounds))).toMatchObject({ field: 'size', limit: 10 });
    expect(await rangeError(consistencyProof(2, 11, store.read, bounds))).toMatchObject({ field: 'size2', limit: 10 });
    expect(await rangeError(rootAt(11, store.read, bounds))).toMatchObject({
      field: 'size',
      relation: '<=',
      limit: 10,
    });
  });

  it('negative values are refused with a lower limit of zero', async () => {
    expect(await rangeError(inclusionProof(-1, 5, store.read))).toMatchObject({
      field: 'index',
      relation: '>=',
      limit: 0,
    });
    expect(await rangeError(nodesToAppend(-3, [], store.read))).toMatchObject({ field: 'existingSize', limit: 0 });
  });

  it('without bounds, a size beyond the stored tree still fails: the reader finds no node', async () => {
    await expect(rootAt(11, store.read)).rejects.toThrow(/not stored/);
  });

  it('non-integers are type errors, not range errors', async () => {
    await expect(inclusionProof(1.5, 5, store.read)).rejects.toBeInstanceOf(TypeError);
    await expect(rootAt(Number.NaN, store.read)).rejects.toBeInstanceOf(TypeError);
  });

  it('in-range requests at the limits succeed', async () => {
    expect(await inclusionProof(9, 10, store.read, bounds)).toHaveLength(2); // leaf 8, then node (3, 0)
    expect(await consistencyProof(10, 10, store.read, bounds)).toEqual([]);
    expect(await consistencyProof(0, 10, store.read, bounds)).toEqual([]);
  });
});
