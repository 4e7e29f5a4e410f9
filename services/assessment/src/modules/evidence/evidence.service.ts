import { isUtf8 } from 'node:buffer';
import { randomUUID, type KeyObject } from 'node:crypto';
import {
  dsseEnvelopeSchema,
  evidenceStatementSchema,
  IN_TOTO_PAYLOAD_TYPE,
  RECEIPT_TYP,
  type EvidenceReceipt,
  type ReceiptClaims,
  findUnstorableText,
} from '@cabc/contracts';
import type { SigningKeyStore } from '@cabc/key-store';
import { decodeBase64Any, DsseVerificationError, pae, sha256Hex, signJwt, verifyDsse } from '@cabc/crypto';
import { isUniqueViolation } from '@cabc/service-kit';
import { BadRequestProblem, HttpProblem, NotFoundProblem, UnprocessableProblem } from '@cabc/http-kit';
import type { z } from 'zod';
import { verifyAttestations } from './attestation-verification.ts';
import type { CollectorTrust, ToeTrust } from './collector-trust.ts';
import type { AcceptedEvidence, EvidenceRepository } from './evidence.repository.ts';
import type { TrustedKeyIndex } from './trusted-key-index.ts';

function fieldsOf(error: z.ZodError, prefix: string) {
  return error.issues.flatMap((issue) => {
    const at = [prefix, ...issue.path.map(String)];
    // An unknown member is named itself, not the object that holds it (which may be the body: no name at all).
    if (issue.code === 'unrecognized_keys')
      return issue.keys.map((key) => ({ field: [...at, key].filter(Boolean).join('.'), message: 'unknown member' }));
    return [{ field: at.filter(Boolean).join('.') || 'body', message: issue.message }];
  });
}

function signatureProblem(error: DsseVerificationError): HttpProblem {
  switch (error.reason) {
    case 'unknown_key':
      return new HttpProblem(403, 'unknown-signing-key', 'Signing key not trusted', error.message, {
        fields: [{ field: 'signatures', message: error.message }],
      });
    case 'unsupported_payload_type':
      return new UnprocessableProblem('unsupported-payload-type', 'Unsupported payload type', error.message, [
        { field: 'payloadType', message: error.message },
      ]);
    case 'malformed':
      return new BadRequestProblem(error.message, [{ field: 'payload', message: error.message }]);
    default:
      return new HttpProblem(401, 'invalid-signature', 'Invalid signature', error.message, {
        fields: [{ field: 'signatures', message: error.message }],
      });
  }
}

function unknownToe(toeId: string): UnprocessableProblem {
  return new UnprocessableProblem(
    'unknown-toe',
    'Unknown target of evaluation',
    `no ToE ${toeId} trusts collector keys`,
    [{ field: 'payload.predicate.toe', message: 'not a registered ToE with a submitted or approved scope' }],
  );
}

function verifiesWith(envelope: Parameters<typeof verifyDsse>[0], keys: ReadonlyMap<string, KeyObject>): boolean {
  if (keys.size === 0) return false;
  try {
    verifyDsse(envelope, keys, { supportedPayloadTypes: [IN_TOTO_PAYLOAD_TYPE] });
    return true;
  } catch {
    return false;
  }
}

function parseStatementJson(bytes: Buffer): unknown {
  let parsed: unknown;
  try {
    if (!isUtf8(bytes)) throw new TypeError('not UTF-8');
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new UnprocessableProblem('invalid-statement', 'Invalid statement', 'the signed payload is not UTF-8 JSON', [
      { field: 'payload', message: 'not UTF-8 JSON' },
    ]);
  }
  // The predicate is stored as jsonb, which cannot hold NUL; a lone surrogate would not round-trip.
  const unstorable = findUnstorableText(parsed);
  if (unstorable) {
    const field = unstorable.path ? `payload.${unstorable.path}` : 'payload';
    throw new UnprocessableProblem('invalid-statement', 'Invalid statement', `${field}: ${unstorable.message}`, [
      { field, message: unstorable.message },
    ]);
  }
  return parsed;
}

function claimedToe(payload: unknown): string {
  const toe = (payload as { predicate?: { toe?: unknown } } | null)?.predicate?.toe;
  if (typeof toe !== 'string' || toe.length === 0 || toe.length > 256) {
    throw new UnprocessableProblem(
      'invalid-statement',
      'Invalid statement',
      'the statement names no target of evaluation',
      [{ field: 'payload.predicate.toe', message: 'required: the ToE id' }],
    );
  }
  return toe;
}

/**
 * Evidence must be about an artifact the trusted scope version pins (docs/initialization.md#pinned-artifacts); a
 * version that pins none accepts any subject. Returns the problem rather than throwing, so the caller can reread.
 */
function subjectsOutsideScope(
  subjects: { name: string; digest: Record<string, string> }[],
  trust: ToeTrust,
): UnprocessableProblem | undefined {
  const pinned = [...trust.artifacts.models, ...trust.artifacts.datasets];
  const known = new Set(pinned.map((artifact) => artifact.sha256));
  if (known.size === 0) return undefined;
  const proposed = trust.proposed
    ? new Set([...trust.proposed.artifacts.models, ...trust.proposed.artifacts.datasets].map((a) => a.sha256))
    : new Set<string>();
  const version = trust.scopeVersion === undefined ? 'the scope' : `scope version ${trust.scopeVersion}`;
  const fields = subjects.flatMap((subject, index) => {
    const sha256 = (subject.digest.sha256 ?? '').toLowerCase();
    if (known.has(sha256)) return [];
    const awaiting = proposed.has(sha256)
      ? `; version ${trust.proposed?.version}, which names it, awaits approval`
      : '';
    return [
      {
        field: `payload.subject.${index}.digest`,
        message: `${subject.name} (sha256 ${sha256}) is not an artifact ${version} of ToE ${trust.toe.id} pins${awaiting}`,
      },
    ];
  });
  if (fields.length === 0) return undefined;
  return new UnprocessableProblem(
    'subject-not-in-scope',
    'Evidence about an artifact the approved scope does not pin',
    fields.map((f) => f.message).join('; '),
    fields,
  );
}

export function toReceipt(evidence: AcceptedEvidence): EvidenceReceipt {
  return {
    evidenceId: evidence.id,
    toe: evidence.toe,
    sequence: evidence.sequence,
    envelopeSha256: evidence.envelopeSha256,
    receivedAt: evidence.receivedAt.toISOString(),
    logIndex: evidence.logIndex,
    receipt: evidence.receipt,
  };
}

export function createEvidenceIngestService(deps: {
  evidence: EvidenceRepository;
  trust: CollectorTrust;
  /** The collector keys in memory: the signature is checked against them before any database work. */
  keyIndex: TrustedKeyIndex;
  keys: SigningKeyStore;
  issuer: string;
  maxFutureSkewMs: number;
  /** Called after the evidence is committed; must not throw (a reconciler covers lost jobs). */
  onAccepted: (evidence: AcceptedEvidence) => Promise<void>;
  now?: () => Date;
}) {
  const now = deps.now ?? (() => new Date());

  return {
    /**
     * Verifies and stores one DSSE envelope. `rawBody` is the request body exactly as received: its digest is the
     * idempotency key and it is what the ledger keeps. Nothing is stored unless every check passes.
     */
    async ingest(
      rawBody: string,
      parsedBody: unknown,
      /** Counts the envelope against its ToE's rate limit once its signature verified; throws over the limit. */
      admit?: (toe: string) => Promise<void>,
    ): Promise<{ created: boolean; receipt: EvidenceReceipt }> {
      const envelope = dsseEnvelopeSchema.safeParse(parsedBody);
      if (!envelope.success) {
        const fields = fieldsOf(envelope.error, '');
        throw new BadRequestProblem(
          `not a DSSE envelope: ${fields.map((f) => `${f.field || 'body'}: ${f.message}`).join('; ')}`,
          fields,
        );
      }
      // Every signature names its key: an envelope is checked against that one key, never tried against them all.
      const unnamed = envelope.data.signatures.findIndex((signature) => !signature.keyid);
      if (unnamed >= 0) {
        throw new BadRequestProblem(`signature ${unnamed} has no keyid`, [
          { field: `signatures.${unnamed}.keyid`, message: 'required: the RFC 7638 thumbprint of the signing key' },
        ]);
      }
      const envelopeSha256 = sha256Hex(rawBody);

      // The ToE named inside the (not yet verified) payload only selects which keys to verify with.
      const payloadBytes = decodeBase64Any(envelope.data.payload);
      if (!payloadBytes)
        throw new BadRequestProblem('payload is not base64', [{ field: 'payload', message: 'not base64' }]);
      const payload = parseStatementJson(payloadBytes);
      const toeId = claimedToe(payload);
      const keyids = envelope.data.signatures.flatMap((signature) => (signature.keyid ? [signature.keyid] : []));
      const toeKeys = await deps.keyIndex.keysOf(toeId, keyids);
      if (!toeKeys) throw unknownToe(toeId);
      let verified;
      try {
        verified = verifyDsse(envelope.data, toeKeys.trusted, { supportedPayloadTypes: [IN_TOTO_PAYLOAD_TYPE] });
      } catch (error) {
        if (!(error instanceof DsseVerificationError)) throw error;
        // An envelope accepted earlier stays accepted (a retry after its key left the scope gets the same receipt),
        // once it verifies with that retired key: no lookup is made for a signature nobody trusted.
        if (error.reason === 'unknown_key' && verifiesWith(envelope.data, toeKeys.retired)) {
          const accepted = await deps.evidence.findExisting(envelopeSha256, null);
          if (accepted) return { created: false, receipt: toReceipt(accepted) };
        }
        throw signatureProblem(error);
      }
      await admit?.(toeId);
      const trust = await deps.trust.forToe(toeId, verified.keyids);
      if (!trust) throw unknownToe(toeId);
      if (!verified.keyids.every((kid) => trust.keys.has(kid))) {
        throw signatureProblem(new DsseVerificationError('unknown_key', 'the signing key left the scope'));
      }
      // The same envelope again, or the same statement signed again or re-serialized in transit, is the same
      // evidence: one lookup (after the cheap signature check) answers both.
      const statementSha256 = sha256Hex(pae(verified.payloadType, verified.payload));
      const existing = await deps.evidence.findExisting(envelopeSha256, statementSha256);
      if (existing) return { created: false, receipt: toReceipt(existing) };

      const statement = evidenceStatementSchema.safeParse(payload);
      if (!statement.success) {
        const fields = fieldsOf(statement.error, 'payload');
        throw new UnprocessableProblem(
          'invalid-statement',
          'Invalid statement',
          `the signed statement is not valid evidence: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`,
          fields,
        );
      }
      let bound = trust;
      let outside = subjectsOutsideScope(statement.data.subject, bound);
      // Artifacts approved a moment ago may not be in the cached trust yet: read it afresh once before refusing.
      if (outside && deps.trust.refresh(toeId)) {
        bound = (await deps.trust.forToe(toeId, keyids)) ?? bound;
        outside = subjectsOutsideScope(statement.data.subject, bound);
      }
      if (outside) throw outside;
      const attestations = verifyAttestations(statement.data.predicate, bound);
      const submitterOrg = statement.data.predicate.submitter?.org;
      if (submitterOrg !== trust.toe.org) {
        throw new UnprocessableProblem(
          'foreign-toe',
          'Evidence for another organization',
          `ToE ${trust.toe.id} does not belong to the organization that submitted this evidence`,
          [
            {
              field: 'payload.predicate.submitter.org',
              message: submitterOrg
                ? 'not the organization of the ToE'
                : 'required: the organization that submitted the evidence',
            },
          ],
        );
      }
      const receivedAt = now();
      const observedAt = new Date(statement.data.predicate.observedAt);
      if (observedAt.getTime() > receivedAt.getTime() + deps.maxFutureSkewMs) {
        throw new UnprocessableProblem(
          'observed-in-future',
          'Evidence from the future',
          `observedAt ${statement.data.predicate.observedAt} is later than the allowed clock skew`,
          [
            {
              field: 'payload.predicate.observedAt',
              message: `more than ${deps.maxFutureSkewMs} ms ahead of the receiver's clock`,
            },
          ],
        );
      }

      const id = randomUUID();
      const sequence = await deps.evidence.nextSequence();
      const key = await deps.keys.active();
      // Signed inside the insert's transaction, once the evidence ledger has given the leaf its index.
      const signReceipt = (logIndex: number | null) =>
        signJwt(
          {
            iss: deps.issuer,
            sub: id,
            iat: Math.floor(receivedAt.getTime() / 1000),
            toe: statement.data.predicate.toe,
            envelopeSha256,
            sequence,
            receivedAt: receivedAt.toISOString(),
            ...(logIndex === null ? {} : { logIndex }),
          } satisfies ReceiptClaims,
          key,
          { typ: RECEIPT_TYP },
        );
      const accepted: Omit<AcceptedEvidence, 'receipt' | 'logIndex'> = {
        id,
        sequence,
        envelopeSha256,
        statementSha256,
        envelope: rawBody,
        toe: statement.data.predicate.toe,
        kind: statement.data.predicate.kind,
        keyid: verified.keyids[0]!,
        subjects: statement.data.subject,
        predicate: statement.data.predicate,
        attestations: attestations.length > 0 ? attestations : null,
        observedAt,
        receivedAt,
      };
      let stored: AcceptedEvidence;
      try {
        stored = await deps.evidence.insertWithPendingEvaluation(accepted, signReceipt);
      } catch (error) {
        if (isUniqueViolation(error)) {
          const raced = await deps.evidence.findExisting(envelopeSha256, statementSha256);
          if (raced) return { created: false, receipt: toReceipt(raced) };
        }
        throw error;
      }
      await deps.onAccepted(stored);
      return { created: true, receipt: toReceipt(stored) };
    },

    async get(id: string): Promise<AcceptedEvidence> {
      const evidence = await deps.evidence.findById(id);
      if (!evidence)
        throw new NotFoundProblem(`no evidence ${id}`, [{ field: 'path:id', message: 'no such evidence' }]);
      return evidence;
    },
  };
}

export type EvidenceIngestService = ReturnType<typeof createEvidenceIngestService>;
