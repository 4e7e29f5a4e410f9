import type { RelayedAttestation, ResourceDescriptor } from '@cabc/contracts';
import { AdapterError } from '../adapter-error.ts';
import { buildEvidence } from '../evidence/build-evidence.ts';
import { clipText } from '../evidence/text.ts';
import { isoFromText } from '../evidence/timestamps.ts';
import { arrayOf, isRecord, recordOf, textOf, type JsonRecord } from '../evidence/values.ts';
import type { FormatAdapter } from '../format-adapter.ts';
import { parseJsonSafely } from '../parsing/safe-json.ts';

const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
const SIGSTORE_BUNDLE = /^application\/vnd\.dev\.sigstore\.bundle(\.v[\d.]+)?\+json/;
const MAX_ATTESTATIONS = 64;

/** What each predicate type is called as a producer tool (informational; the verified signer is what rules read). */
const predicateNames: [RegExp, string][] = [
  [/^https:\/\/slsa\.dev\/provenance\//, 'slsa-provenance'],
  [/^https:\/\/slsa\.dev\/verification_summary\//, 'slsa-verification-summary'],
  [/^https:\/\/in-toto\.io\/attestation\/test-result\//, 'in-toto-test-result'],
  [/^https:\/\/in-toto\.io\/attestation\/link\/|^https:\/\/in-toto\.io\/Link\//, 'in-toto-link'],
];

interface Envelope {
  mediaType: string;
  envelope: JsonRecord;
}

const isDsse = (value: unknown): value is JsonRecord =>
  isRecord(value) &&
  typeof value.payload === 'string' &&
  typeof value.payloadType === 'string' &&
  Array.isArray(value.signatures);

const isBundle = (value: unknown): value is JsonRecord =>
  isRecord(value) && SIGSTORE_BUNDLE.test(textOf(value.mediaType) ?? '') && isDsse(value.dsseEnvelope);

/** A DSSE envelope, a Sigstore bundle with DSSE content, or a list of them (`.intoto.jsonl` lines). */
function envelopesOf(value: unknown): Envelope[] | undefined {
  const items = Array.isArray(value) ? value : [value];
  if (items.length === 0) return undefined;
  const envelopes: Envelope[] = [];
  for (const item of items) {
    if (isBundle(item))
      envelopes.push({ mediaType: String(item.mediaType), envelope: item.dsseEnvelope as JsonRecord });
    else if (isDsse(item) && item.payloadType === IN_TOTO_PAYLOAD_TYPE)
      envelopes.push({ mediaType: IN_TOTO_PAYLOAD_TYPE, envelope: item });
    else return undefined;
  }
  return envelopes;
}

function statementOf(envelope: JsonRecord, index: number): JsonRecord {
  const payload = String(envelope.payload);
  const bytes = /^[A-Za-z0-9+/]*={0,2}$/.test(payload)
    ? Buffer.from(payload, 'base64')
    : Buffer.from(payload.replace(/=+$/, ''), 'base64url');
  const statement = parseJsonSafely(bytes.toString('utf8'));
  if (!isRecord(statement) || !Array.isArray(statement.subject) || typeof statement.predicateType !== 'string') {
    throw new AdapterError('invalid', `attestation ${index}: the payload is not an in-toto statement`, {
      field: `[${index}].payload`,
    });
  }
  return statement;
}

/** The envelope exactly as signed: payload type, payload and signatures (keyid, sig); certificates stay in raw. */
function relayed({ mediaType, envelope }: Envelope): RelayedAttestation {
  return {
    mediaType: clipText(mediaType, 256),
    envelope: {
      payloadType: String(envelope.payloadType),
      payload: String(envelope.payload),
      signatures: arrayOf(envelope.signatures).map((signature) => {
        const { keyid, sig } = recordOf(signature);
        return { ...(typeof keyid === 'string' && keyid !== '' ? { keyid } : {}), sig: String(sig ?? '') };
      }),
    },
  };
}

function subjectsOf(statement: JsonRecord): ResourceDescriptor[] {
  return arrayOf(statement.subject).flatMap((item, index) => {
    const subject = recordOf(item);
    const sha256 = textOf(recordOf(subject.digest).sha256);
    if (!sha256 || !/^[0-9a-fA-F]{64}$/.test(sha256)) return [];
    return [
      { name: clipText(textOf(subject.name) ?? `subject ${index}`, 512), digest: { sha256: sha256.toLowerCase() } },
    ];
  });
}

function observedAtOf(statement: JsonRecord): string | undefined {
  const predicate = recordOf(statement.predicate);
  return (
    isoFromText(recordOf(recordOf(predicate.runDetails).metadata).finishedOn) ??
    isoFromText(recordOf(predicate.metadata).buildFinishedOn) ??
    isoFromText(predicate.timeVerified) ??
    undefined
  );
}

const toolOf = (predicateType: string) =>
  predicateNames.find(([pattern]) => pattern.test(predicateType))?.[1] ?? 'in-toto';

export const inTotoAttestationAdapter: FormatAdapter = {
  id: 'in-toto-attestation',
  title: 'in-toto attestations in DSSE (SLSA provenance, verification summary, test result, link; Sigstore bundles)',
  syntax: 'json',
  mediaType: IN_TOTO_PAYLOAD_TYPE,
  kinds: ['provenance'],
  detection:
    'a DSSE envelope with payloadType application/vnd.in-toto+json, a Sigstore bundle with a dsseEnvelope, ' +
    'or JSON Lines of them (.intoto.jsonl)',
  filenameHint: /\.intoto\.jsonl$|\.intoto\.json$|\.sigstore(\.json)?$|\.dsse\.json$/i,
  matches: (value) => envelopesOf(value) !== undefined,
  adapt(value, context) {
    const envelopes = envelopesOf(value);
    if (!envelopes) return [];
    if (envelopes.length > MAX_ATTESTATIONS) {
      throw new AdapterError('invalid', `more than ${MAX_ATTESTATIONS} attestations in one file`);
    }
    const statements = envelopes.map((item, index) => statementOf(item.envelope, index));
    const tools = [...new Set(statements.map((statement) => toolOf(String(statement.predicateType))))];
    const subjects = new Map<string, ResourceDescriptor>();
    for (const subject of statements.flatMap(subjectsOf)) subjects.set(subject.digest.sha256 ?? '', subject);
    const observed = statements
      .map(observedAtOf)
      .filter((at): at is string => at !== undefined)
      .sort();
    const evidence = buildEvidence(context, {
      kind: 'provenance',
      producer: { tool: tools.length === 1 ? tools[0]! : 'in-toto' },
      observedAt: observed.at(-1),
      subjects: [...subjects.values()],
    });
    return [{ ...evidence, attestations: envelopes.map(relayed) }];
  },
};
