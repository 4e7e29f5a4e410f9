import { createPublicKey, type KeyObject } from 'node:crypto';
import { CheckpointError } from './errors.ts';
import { formatCheckpoint, parseCheckpoint, type Checkpoint, type CheckpointFields } from './checkpoint.ts';
import { noteKeyId, parseVerifierKey, type NoteVerifierKey } from './note-keys.ts';
import { openNote, signNote } from './signed-note.ts';

export interface CheckpointSigner {
  /** Key name on the signature line; C2SP recommends the log's origin. */
  name: string;
  privateKey: KeyObject;
}

export interface VerifiedCheckpoint extends Checkpoint {
  /** Names of the trusted keys whose signatures verified. */
  signedBy: string[];
}

/** The checkpoint as a C2SP signed note with one Ed25519 signature. */
export function signCheckpoint(checkpoint: CheckpointFields, signer: CheckpointSigner): string {
  return signNote(formatCheckpoint(checkpoint), [signer]);
}

/**
 * Verifies the note's signatures against the trusted verifier keys (strings `<name>+<key ID>+<base64 key>` or parsed
 * keys) before reading the checkpoint it carries. With `origin`, a checkpoint from any other log is refused.
 * Throws CheckpointError with the reason.
 */
export function parseAndVerifyCheckpoint(
  note: string | Uint8Array,
  verifierKeys: readonly (string | NoteVerifierKey)[],
  options: { origin?: string } = {},
): VerifiedCheckpoint {
  const trusted = verifierKeys.map((key) => (typeof key === 'string' ? parseVerifierKey(key) : key));
  const opened = openNote(note, trusted);
  const checkpoint = parseCheckpoint(opened.text);
  if (options.origin !== undefined && checkpoint.origin !== options.origin) {
    throw new CheckpointError(
      'origin_mismatch',
      `checkpoint is for origin "${checkpoint.origin}", expected "${options.origin}"`,
    );
  }
  return { ...checkpoint, signedBy: opened.signedBy };
}

/** The parsed verifier key for a signer, for tests and for publishing next to the log. */
export function verifierKeyOf(signer: CheckpointSigner): NoteVerifierKey {
  const publicKey = createPublicKey(signer.privateKey);
  return { name: signer.name, keyId: noteKeyId(signer.name, publicKey), publicKey };
}
