import { sign as edSign, verify as edVerify, type KeyObject } from 'node:crypto';
import { CheckpointError } from './errors.ts';
import { hex8, isValidKeyName, noteKeyId, type NoteVerifierKey } from './note-keys.ts';
import { decodeStrictBase64 } from './strict-base64.ts';

// C2SP signed-note (https://c2sp.org/signed-note): text ending in a newline, a blank line, then one or more lines
// "— <key name> <base64(4-byte key ID || signature)>". Ed25519 signs the text including its final newline.

const SIGNATURE_PREFIX = '— ';
const MAX_NOTE_BYTES = 1 << 20;
const MAX_SIGNATURES = 100;
const forbiddenControl = /[\u0000-\u0009\u000b-\u001f]/;

export interface NoteSigner {
  name: string;
  privateKey: KeyObject;
}

export interface OpenedNote {
  text: string;
  /** Names of the trusted keys whose signatures verified. */
  signedBy: string[];
}

export function signNote(text: string, signers: readonly NoteSigner[]): string {
  if (!text.endsWith('\n')) throw new TypeError('note text must end with a newline');
  if (!text.isWellFormed() || forbiddenControl.test(text)) {
    throw new TypeError('note text must be well-formed and hold no control characters other than newline');
  }
  if (signers.length === 0) throw new TypeError('a note needs at least one signer');
  const message = Buffer.from(text, 'utf8');
  const lines = signers.map((signer) => {
    if (!isValidKeyName(signer.name)) throw new TypeError(`invalid key name "${signer.name}"`);
    const keyId = Buffer.alloc(4);
    keyId.writeUInt32BE(noteKeyId(signer.name, signer.privateKey));
    const signature = edSign(null, message, signer.privateKey);
    return `${SIGNATURE_PREFIX}${signer.name} ${Buffer.concat([keyId, signature]).toString('base64')}\n`;
  });
  return `${text}\n${lines.join('')}`;
}

/**
 * Verifies a signed note against trusted keys. Signatures by unknown keys are ignored (the spec requires it, for
 * key rotation and witnesses); a known key's signature that fails rejects the whole note; at least one trusted
 * signature must verify.
 */
export function openNote(note: string | Uint8Array, trusted: readonly NoteVerifierKey[]): OpenedNote {
  const malformed = (why: string) => new CheckpointError('malformed_note', `malformed note: ${why}`);
  const noteText = typeof note === 'string' ? note : decodeUtf8(note);
  if (noteText === undefined || !noteText.isWellFormed()) throw malformed('not valid UTF-8');
  if (Buffer.byteLength(noteText, 'utf8') > MAX_NOTE_BYTES) throw malformed(`larger than ${MAX_NOTE_BYTES} bytes`);
  if (forbiddenControl.test(noteText)) throw malformed('holds a control character other than newline');

  const split = noteText.lastIndexOf('\n\n');
  if (split < 0) throw malformed('no blank line before the signatures');
  const text = noteText.slice(0, split + 1);
  const signatureBlock = noteText.slice(split + 2);
  if (!signatureBlock.endsWith('\n')) throw malformed('the signature block does not end with a newline');
  const lines = signatureBlock.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) throw malformed(`more than ${MAX_SIGNATURES} signatures`);

  const keys = trustedKeyMap(trusted);
  const message = Buffer.from(text, 'utf8');
  const verified = new Set<string>();
  for (const line of lines) {
    if (!line.startsWith(SIGNATURE_PREFIX)) throw malformed('a signature line does not start with "— "');
    const rest = line.slice(SIGNATURE_PREFIX.length);
    const space = rest.indexOf(' ');
    const name = space < 0 ? rest : rest.slice(0, space);
    const signature = space < 0 ? undefined : decodeStrictBase64(rest.slice(space + 1));
    if (!isValidKeyName(name) || !signature || signature.length < 5)
      throw malformed(`bad signature line for "${name}"`);
    const keyId = signature.readUInt32BE(0);
    const lookup = `${name}+${hex8(keyId)}`;
    const key = keys.get(lookup);
    if (!key || verified.has(lookup)) continue;
    const raw = signature.subarray(4);
    if (raw.length !== 64 || !edVerify(null, message, key.publicKey, raw)) {
      throw new CheckpointError('bad_signature', `the signature by trusted key ${lookup} does not verify`);
    }
    verified.add(lookup);
  }
  if (verified.size === 0) {
    const names = lines.map((line) => line.slice(SIGNATURE_PREFIX.length).split(' ')[0]).join(', ');
    throw new CheckpointError('no_trusted_signature', `no signature is by a trusted key (signed by: ${names})`);
  }
  return { text, signedBy: [...verified].map((lookup) => keys.get(lookup)!.name) };
}

function trustedKeyMap(trusted: readonly NoteVerifierKey[]): Map<string, NoteVerifierKey> {
  const keys = new Map<string, NoteVerifierKey>();
  for (const key of trusted) {
    const lookup = `${key.name}+${hex8(key.keyId)}`;
    const existing = keys.get(lookup);
    if (existing && !existing.publicKey.equals(key.publicKey)) {
      throw new CheckpointError('invalid_verifier_key', `two different trusted keys share the name and ID ${lookup}`);
    }
    keys.set(lookup, key);
  }
  return keys;
}

function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}
