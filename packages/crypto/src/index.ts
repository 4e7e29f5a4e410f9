export { pae, signDsse, verifyDsse, DsseVerificationError, type DsseSigner, type DsseVerified } from './dsse.ts';
export { decodeBase64Any } from './base64.ts';
export { sha256Hex } from './digest.ts';
export {
  generateSigningKey,
  signingKeyFrom,
  publicJwkOf,
  jwkThumbprint,
  publicKeyFromJwk,
  type SigningKey,
  type PublicJwk,
} from './ed25519-keys.ts';
export {
  encryptPrivateKey,
  decryptPrivateKey,
  sealBytes,
  unsealBytes,
  isLegacySealed,
  KeyDecryptionError,
  type SealBinding,
} from './key-encryption.ts';
export {
  announceKey,
  verifyAnnouncement,
  followAnnouncements,
  KEY_ANNOUNCEMENT_TYP,
  type AnnouncedJwks,
  type KeyAnnouncementClaims,
  type FollowedKeys,
} from './key-announcement.ts';
export { signJwt, createJwtVerifier, type JwtVerifier } from './jwt.ts';
export { TrustedKeySet } from './trusted-key-set.ts';
export { canonicalJson } from './canonical-json.ts';
