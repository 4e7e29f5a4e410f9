import { constants, verify, type KeyObject } from 'node:crypto';
import { IN_TOTO_PAYLOAD_TYPE, type EvidencePredicate, type RelayedAttestation } from '@cabc/contracts';
import { decodeBase64Any, pae } from '@cabc/crypto';
import { HttpProblem, UnprocessableProblem, type ProblemField } from '@cabc/http-kit';
import type { VerifiedAttestation } from '@cabc/rules';
import type { AttestationKey } from './attestation-keys.ts';
import type { ToeTrust } from './collector-trust.ts';

const STATEMENT_TYPES = new Set(['https://in-toto.io/Statement/v1', 'https://in-toto.io/Statement/v0.1']);
/** Signature checks one evidence may cost at most (signatures × candidate keys, over all its attestations). */
const MAX_SIGNATURE_CHECKS = 256;

/** Ed25519, ECDSA (DER as cosign and securesystemslib write it, or raw r‖s) and RSA (PKCS#1 v1.5 or PSS). */
function verifiesWith(key: KeyObject, message: Buffer, signature: Buffer): boolean {
  try {
    switch (key.asymmetricKeyType) {
      case 'ed25519':
        return verify(null, message, key, signature);
      case 'ec': {
        const hash = key.asymmetricKeyDetails?.namedCurve === 'secp384r1' ? 'sha384' : 'sha256';
        return (
          verify(hash, message, { key, dsaEncoding: 'der' }, signature) ||
          verify(hash, message, { key, dsaEncoding: 'ieee-p1363' }, signature)
        );
      }
      case 'rsa':
        return (
          verify('sha256', message, { key, padding: constants.RSA_PKCS1_PADDING }, signature) ||
          verify(
            'sha256',
            message,
            { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO },
            signature,
          )
        );
      default:
        return false;
    }
  } catch {
    return false; // a malformed signature verifies nothing
  }
}

const digestList = (trust: ToeTrust) => [...trust.artifacts.models, ...trust.artifacts.datasets];

function subjectProblem(trust: ToeTrust, fields: ProblemField[]): UnprocessableProblem {
  return new UnprocessableProblem(
    'subject-not-in-scope',
    'Attestation about an artifact the scope does not name',
    fields.map((field) => `${field.field}: ${field.message}`).join('; '),
    fields,
  );
}

interface Statement {
  predicateType: string;
  subject: { name?: string; digest: Record<string, string> }[];
  predicate: unknown;
}

function parseStatement(payload: Buffer, at: string): Statement {
  let value: unknown;
  try {
    value = JSON.parse(payload.toString('utf8'));
  } catch {
    value = undefined;
  }
  const statement = value as Partial<Record<string, unknown>> | undefined;
  const subjects = statement?.subject;
  if (
    !statement ||
    typeof statement._type !== 'string' ||
    !STATEMENT_TYPES.has(statement._type) ||
    typeof statement.predicateType !== 'string' ||
    !Array.isArray(subjects) ||
    subjects.length === 0 ||
    subjects.some((subject) => typeof (subject as { digest?: unknown })?.digest !== 'object')
  ) {
    throw new UnprocessableProblem(
      'invalid-attestation',
      'Not an in-toto statement',
      `${at} does not hold an in-toto Statement (v1 or v0.1) with subjects and a predicateType`,
      [{ field: `${at}.payload`, message: 'not an in-toto statement' }],
    );
  }
  return {
    predicateType: statement.predicateType,
    subject: subjects as Statement['subject'],
    predicate: statement.predicate ?? null,
  };
}

/**
 * Verifies the third-party attestations an evidence relays (docs/evidence.md#third-party-attestations): each
 * envelope is signed by a key the scope lists in `attestationKeys`, its payload is an in-toto statement, and every
 * subject is an artifact the scope pins. Returns what the rules may trust; throws a problem naming what is wrong.
 */
export function verifyAttestations(predicate: EvidencePredicate, trust: ToeTrust): VerifiedAttestation[] {
  const attestations = predicate.attestations;
  if (!attestations) return [];
  const base = 'payload.predicate.attestations';
  if (predicate.kind !== 'provenance') {
    throw new UnprocessableProblem(
      'invalid-statement',
      'Attestations on other evidence',
      `third-party attestations are relayed as provenance evidence, not ${predicate.kind}`,
      [{ field: 'payload.predicate.kind', message: 'must be provenance when attestations are relayed' }],
    );
  }
  if (predicate.measurements.length > 0 || predicate.checks.length > 0) {
    const field = predicate.measurements.length > 0 ? 'payload.predicate.measurements' : 'payload.predicate.checks';
    throw new UnprocessableProblem(
      'invalid-statement',
      'Unverifiable claims beside attestations',
      'evidence that relays attestations carries no measurements or checks of its own: rules read the signed facts',
      [{ field, message: 'must be empty when attestations are relayed' }],
    );
  }
  const approved = new Map(digestList(trust).map((artifact) => [artifact.sha256, artifact.name]));
  if (approved.size === 0) {
    throw subjectProblem(trust, [
      {
        field: base,
        message: 'the scope pins no artifact (artifacts.models / datasets) an attestation could be about',
      },
    ]);
  }
  let checks = 0;
  return attestations.map((attestation: RelayedAttestation, index): VerifiedAttestation => {
    const at = `${base}.${index}.envelope`;
    const { envelope } = attestation;
    if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
      throw new UnprocessableProblem(
        'unsupported-payload-type',
        'Unsupported payload type',
        `${at} has payloadType ${envelope.payloadType}, not ${IN_TOTO_PAYLOAD_TYPE}`,
        [{ field: `${at}.payloadType`, message: `expected ${IN_TOTO_PAYLOAD_TYPE}` }],
      );
    }
    const payload = decodeBase64Any(envelope.payload);
    if (!payload) {
      throw new UnprocessableProblem('invalid-attestation', 'Invalid attestation', `${at}.payload is not base64`, [
        { field: `${at}.payload`, message: 'not base64' },
      ]);
    }
    const message = pae(envelope.payloadType, payload);
    let signer: AttestationKey | undefined;
    for (const signature of envelope.signatures) {
      const sig = decodeBase64Any(signature.sig);
      if (!sig) continue;
      const named = trust.attestationKeys.filter(
        (key) => signature.keyid !== undefined && (key.thumbprint === signature.keyid || key.kid === signature.keyid),
      );
      for (const key of named.length > 0 ? named : trust.attestationKeys) {
        checks += 1;
        if (checks > MAX_SIGNATURE_CHECKS) {
          throw new UnprocessableProblem('too-many-signatures', 'Too many signatures', 'too many signature checks', [
            { field: `${at}.signatures`, message: `more than ${MAX_SIGNATURE_CHECKS} checks` },
          ]);
        }
        if (verifiesWith(key.key, message, sig)) {
          signer = key;
          break;
        }
      }
      if (signer) break;
    }
    if (!signer) {
      const keyids = envelope.signatures.map((signature) => signature.keyid || '(none)').join(', ');
      const detail = `${at} is signed by no key the approved scope lists in attestationKeys (keyid ${keyids})`;
      throw new HttpProblem(403, 'attestation-key-not-listed', 'Attestation signed by an unlisted key', detail, {
        fields: [{ field: `${at}.signatures`, message: `keyid ${keyids}: not a key of the scope's attestationKeys` }],
      });
    }
    const statement = parseStatement(payload, at);
    const fields = statement.subject.flatMap((subject, position): ProblemField[] => {
      const sha256 = subject.digest.sha256?.toLowerCase();
      if (sha256 !== undefined && approved.has(sha256)) return [];
      const proposed = trust.proposed?.artifacts;
      const awaiting =
        sha256 !== undefined && proposed && [...proposed.models, ...proposed.datasets].some((a) => a.sha256 === sha256)
          ? `; scope version ${trust.proposed?.version}, which names it, awaits approval`
          : '';
      return [
        {
          field: `${base}.${index}.statement.subject.${position}.digest`,
          message:
            sha256 === undefined
              ? `${subject.name ?? 'a subject'} has no sha256 digest: it cannot be an artifact of the scope`
              : `${subject.name ?? 'a subject'} (sha256 ${sha256}) is not an artifact of the scope${awaiting}`,
        },
      ];
    });
    if (fields.length > 0) throw subjectProblem(trust, fields);
    return {
      producer: signer.producer,
      predicateType: statement.predicateType,
      subjects: statement.subject,
      predicate: statement.predicate,
    };
  });
}
