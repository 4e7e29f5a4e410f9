/** Standard padded base64 (RFC 4648 §4) in its canonical form only; undefined for anything else. */
export function decodeStrictBase64(text: string): Buffer | undefined {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  // Buffer.from ignores non-zero padding bits; a round trip rejects such non-canonical spellings.
  return bytes.toString('base64') === text ? bytes : undefined;
}
