import { CheckpointError } from './errors.ts';
import { HASH_SIZE } from './hashing.ts';
import { isCount } from './size-checks.ts';
import { decodeStrictBase64 } from './strict-base64.ts';

/**
 * A C2SP tlog-checkpoint body (https://c2sp.org/tlog-checkpoint): the origin line, the tree size in decimal, the
 * base64 root hash, then optional non-empty extension lines, each line ending in a newline.
 */
export interface Checkpoint {
  origin: string;
  size: number;
  rootHash: Buffer;
  extensions: string[];
}

export interface CheckpointFields {
  origin: string;
  size: number;
  rootHash: Uint8Array;
  extensions?: readonly string[];
}

export function formatCheckpoint(fields: CheckpointFields): string {
  if (fields.origin.length === 0 || fields.origin.includes('\n')) {
    throw new TypeError('origin must be one non-empty line');
  }
  if (!isCount(fields.size)) throw new TypeError(`tree size must be a non-negative safe integer, got ${fields.size}`);
  if (fields.rootHash.length !== HASH_SIZE) throw new TypeError('root hash must be 32 bytes');
  const extensions = fields.extensions ?? [];
  if (extensions.some((line) => line.length === 0 || line.includes('\n'))) {
    throw new TypeError('extension lines must be non-empty single lines');
  }
  const lines = [fields.origin, String(fields.size), Buffer.from(fields.rootHash).toString('base64'), ...extensions];
  return `${lines.join('\n')}\n`;
}

export function parseCheckpoint(text: string): Checkpoint {
  const malformed = (why: string) => new CheckpointError('malformed_checkpoint', `malformed checkpoint: ${why}`);
  if (!text.endsWith('\n')) throw malformed('the text does not end with a newline');
  const [origin = '', sizeLine = '', rootLine = '', ...extensions] = text.slice(0, -1).split('\n');
  if (origin.length === 0) throw malformed('empty origin line');
  if (!/^(0|[1-9][0-9]*)$/.test(sizeLine))
    throw malformed('the tree size is not a decimal number without leading zeroes');
  const size = Number(sizeLine);
  if (!Number.isSafeInteger(size)) throw malformed(`tree size ${sizeLine} is beyond what this verifier supports`);
  const rootHash = decodeStrictBase64(rootLine);
  if (!rootHash || rootHash.length !== HASH_SIZE) throw malformed('the root hash is not base64 of 32 bytes');
  if (extensions.some((line) => line.length === 0)) throw malformed('empty extension line');
  return { origin, size, rootHash, extensions };
}
