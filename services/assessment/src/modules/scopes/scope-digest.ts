import { canonicalJson, sha256Hex } from '@cabc/crypto';
import type { ScopeDocument } from './scope-document.schema.ts';

/** SHA-256 of the canonical JSON of a scope document: what an approval is about, exactly. */
export const scopeDigest = (document: ScopeDocument) => sha256Hex(canonicalJson(document));
