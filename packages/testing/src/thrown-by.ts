import { expect } from 'vitest';

/** The error `act` throws, asserted to be a `type`; fails the test when `act` throws nothing. */
export function thrownBy<E>(type: abstract new (...args: never[]) => E, act: () => unknown): E {
  try {
    act();
  } catch (error) {
    expect(error).toBeInstanceOf(type);
    return error as E;
  }
  return expect.fail(`expected a ${type.name}`);
}
