import { afterEach, beforeEach, expect } from 'vitest';

/**
 * After every test of the enclosing block, asserts that `snapshot` reads what it read before it (a refusal stored
 * nothing). A test that is meant to store something calls `accept()` once it has.
 */
export function expectEachTestLeavesUnchanged<T>(snapshot: () => Promise<T>): { accept: () => Promise<void> } {
  let before: T;
  const accept = async () => {
    before = await snapshot();
  };
  beforeEach(accept);
  afterEach(async () => {
    expect(await snapshot()).toEqual(before);
  });
  return { accept };
}
