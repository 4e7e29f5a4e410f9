import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { formatVerifierKey, openNote, parseVerifierKey, signNote } from '../src/index.ts';
import { c2spNoteExample, sumdbNoteExample } from './fixtures/signed-note-vectors.ts';
import { ed25519FromSeed, reasonOf } from './helpers.ts';

/** The Ed25519 private key inside a Go sumdb/note signer key, PRIVATE+KEY+<name>+<id>+<base64(0x01 || seed)>. */
function goSignerKey(signerKey: string) {
  const [, name = '', keyBase64 = ''] = /^PRIVATE\+KEY\+([^+]+)\+[0-9a-f]{8}\+(.+)$/.exec(signerKey) ?? [];
  return { name, privateKey: ed25519FromSeed(Buffer.from(keyBase64, 'base64').subarray(1)) };
}

const peter = goSignerKey(sumdbNoteExample.signerKey);

describe('signed notes against the Go sumdb/note example', () => {
  it('derives the published verifier key from the signer key', () => {
    expect(peter.name).toBe('PeterNeumann');
    expect(formatVerifierKey(peter.name, createPublicKey(peter.privateKey))).toBe(sumdbNoteExample.verifierKey);
  });

  it('signs the example text to the published note, byte for byte', () => {
    expect(signNote(sumdbNoteExample.text, [peter])).toBe(sumdbNoteExample.signed);
  });

  it('opens the published note with the published verifier key', () => {
    const opened = openNote(sumdbNoteExample.signed, [parseVerifierKey(sumdbNoteExample.verifierKey)]);
    expect(opened).toEqual({ text: sumdbNoteExample.text, signedBy: ['PeterNeumann'] });
  });

  it('opens the doubly signed example, crediting each trusted key', () => {
    const doubly = sumdbNoteExample.signed + sumdbNoteExample.enochSignatureLine;
    const keys = [sumdbNoteExample.verifierKey, sumdbNoteExample.enochVerifierKey].map(parseVerifierKey);
    expect(openNote(doubly, keys).signedBy).toEqual(['PeterNeumann', 'EnochRoot']);
    // Only Enoch trusted: Peter's signature is an unknown key's and is ignored.
    expect(openNote(doubly, [keys[1]!]).signedBy).toEqual(['EnochRoot']);
  });

  it('opens the C2SP signed-note specification example', () => {
    const opened = openNote(c2spNoteExample.note, [parseVerifierKey(c2spNoteExample.verifierKey)]);
    expect(opened).toEqual({ text: c2spNoteExample.text, signedBy: ['example.com/foo'] });
  });
});

describe('openNote refuses', () => {
  const trusted = [parseVerifierKey(sumdbNoteExample.verifierKey)];
  const note = sumdbNoteExample.signed;

  it('a changed text, when the trusted key signed the original', () => {
    expect(reasonOf(() => openNote(note.replace('cryptography', 'cryptographY'), trusted))).toBe('bad_signature');
  });

  it('a note with no signature by a trusted key', () => {
    const stranger = parseVerifierKey(sumdbNoteExample.enochVerifierKey);
    expect(reasonOf(() => openNote(note, [stranger]))).toBe('no_trusted_signature');
  });

  it('a signature line whose key ID does not match the trusted key, as an unknown signature', () => {
    const line = note.split('\n').at(-2)!;
    const signature = Buffer.from(line.split(' ')[2]!, 'base64');
    signature[0]! ^= 1;
    const renamed = note.replace(line, `— PeterNeumann ${signature.toString('base64')}`);
    expect(reasonOf(() => openNote(renamed, trusted))).toBe('no_trusted_signature');
  });

  it.each([
    ['no blank line', sumdbNoteExample.text + sumdbNoteExample.signed.split('\n\n')[1]],
    ['no final newline', note.slice(0, -1)],
    ['a hyphen instead of an em dash', note.replace('— ', '- ')],
    ['a control character', note.replace('problem,', 'problem,\t')],
    ['non-canonical base64', note.replace('AM=\n', 'AN=\n')],
    ['a signature that is too short', `${sumdbNoteExample.text}\n— PeterNeumann AAAA\n`],
    ['a key name with a plus', note.replace('— PeterNeumann', '— Peter+Neumann')],
    ['invalid UTF-8', Buffer.concat([Buffer.from([0xff]), Buffer.from(note)])],
  ])('a malformed note: %s', (_desc, malformed) => {
    expect(reasonOf(() => openNote(malformed, trusted))).toBe('malformed_note');
  });
});

describe('verifier keys', () => {
  it.each([
    ['no key ID', 'PeterNeumann+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'],
    ['a wrong key ID', 'PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'],
    ['a wrong name', 'PeterNeuman+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'],
    ['an unknown key type', 'PeterNeumann+c74f20a3+AhpNzZQHFDwdTEHoMMW8+M6ogX7FZJqqvywxOIs1stdE'],
    ['a truncated key', 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10'],
  ])('refuses %s', (_desc, key) => {
    expect(reasonOf(() => parseVerifierKey(key))).toBe('invalid_verifier_key');
  });

  it('round-trips a generated key, even when its base64 contains "+"', () => {
    for (let i = 0; i < 20; i++) {
      const { publicKey } = generateKeyPairSync('ed25519');
      const text = formatVerifierKey('cabc.example/ledger', publicKey);
      const parsed = parseVerifierKey(text);
      expect(parsed.publicKey.equals(publicKey)).toBe(true);
      expect(formatVerifierKey(parsed.name, parsed.publicKey)).toBe(text);
    }
  });
});
