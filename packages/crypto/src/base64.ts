const base64Pattern = /^[A-Za-z0-9+/]*={0,2}$/;
const base64UrlPattern = /^[A-Za-z0-9_-]*={0,2}$/;

/**
 * Decodes standard or URL-safe base64 (DSSE verifiers must accept either). Returns undefined for text that is
 * neither, instead of Buffer.from's silent skipping of bad characters.
 */
export function decodeBase64Any(text: string): Buffer | undefined {
  if (base64Pattern.test(text)) return Buffer.from(text, 'base64');
  if (base64UrlPattern.test(text)) return Buffer.from(text.replace(/=+$/, ''), 'base64url');
  return undefined;
}
