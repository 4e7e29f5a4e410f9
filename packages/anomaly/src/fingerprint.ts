import type { AnomalyEvidence } from './types.ts';

const FNV_PRIME = 0x01000193;
const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);

/** 32-bit FNV-1a of a string with a seed; two seeds make a 64-bit hash. */
function fnv1a(text: string, seed: number): number {
  let hash = seed >>> 0;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, FNV_PRIME) >>> 0;
  }
  return hash >>> 0;
}

/** MurmurHash3's 32-bit finalizer: spreads every input bit over the output. */
function fmix(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/** Two 32-bit lanes as one exact JSON number: 32 + 21 bits. */
const asNumber = (low: number, high: number) => low * 2 ** 21 + (high >>> 11);

/**
 * Accumulates an order-independent 64-bit hash of (metric key, exact value) entries: each entry mixes the key's
 * FNV-1a hash with the value's IEEE 754 bits into two 32-bit lanes, and the entry hashes are added (mod 2^32), which
 * does not depend on their order and needs no sort. Not a cryptographic hash: a producer gains nothing from a
 * collision, which would only raise an observation against its own evidence.
 */
export class MeasurementHash {
  private low = 0;
  private high = 0;
  count = 0;

  add(key: string, value: number): void {
    bits[0] = value;
    const keyHash = fnv1a(key, 0x811c9dc5);
    const low = words[0]!;
    const high = words[1]!;
    this.low = (this.low + fmix(keyHash ^ fmix(low ^ Math.imul(high, 0x9e3779b1)))) >>> 0;
    this.high = (this.high + fmix(Math.imul(keyHash, 0x27d4eb2f) ^ fmix(high ^ Math.imul(low, 0x165667b1)))) >>> 0;
    this.count += 1;
  }

  /** 53 bits of the two lanes; the count of entries is mixed in, so a subset never matches its superset. */
  digest(): number {
    return asNumber(fmix(this.low ^ this.count), this.high);
  }
}

/** The data an evidence claims to be about: its subjects' digests, order-independent (added like the entries). */
export function subjectsFingerprint(evidence: AnomalyEvidence): number {
  let low = 0;
  let high = 0;
  for (const subject of evidence.subjects) {
    const hash = fnv1a(subject.digest.sha256, 0x811c9dc5);
    low = (low + fmix(hash)) >>> 0;
    high = (high + fmix(Math.imul(hash ^ 0x5bd1e995, 0x27d4eb2f))) >>> 0;
  }
  return asNumber(fmix(low ^ evidence.subjects.length), high);
}
