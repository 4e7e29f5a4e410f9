import type { NodeCoord } from './node-reader.ts';

// Tree sizes go up to 2^53 - 1, beyond the 32 bits JavaScript's bitwise operators work on, so this file uses
// arithmetic, which is exact for integers in that range.

/** The largest power of two strictly smaller than n (n ≥ 2): the split point k of RFC 6962 §2.1. */
export function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

export function isPowerOfTwo(n: number): boolean {
  if (n < 1) return false;
  let rest = n;
  while (rest % 2 === 0) rest /= 2;
  return rest === 1;
}

export function isOdd(n: number): boolean {
  return n % 2 === 1;
}

/** n >> 1 for non-negative integers of any safe size. */
export function half(n: number): number {
  return Math.floor(n / 2);
}

/**
 * The perfect subtrees that tile leaves [start, end), left to right. For the ranges the RFC 6962 recursion produces
 * (start aligned to a power of two at least end - start) they follow the binary digits of end - start, largest first,
 * which is the order foldRight expects.
 */
export function perfectSubtrees(start: number, end: number): NodeCoord[] {
  const nodes: NodeCoord[] = [];
  let position = start;
  while (position < end) {
    let width = 1;
    let level = 0;
    while (position % (width * 2) === 0 && position + width * 2 <= end) {
      width *= 2;
      level += 1;
    }
    nodes.push({ level, index: position / width });
    position += width;
  }
  return nodes;
}
