import { AdapterError } from '../adapter-error.ts';

/** Decodes UTF-8 strictly; a leading byte-order mark is dropped. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new AdapterError('malformed', 'the input is not valid UTF-8 text');
  }
}
