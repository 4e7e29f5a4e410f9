import { randomUUID } from 'node:crypto';
import { adapt, AdapterError, type AdaptedEvidence, type FormatId } from '@cabc/adapters';
import {
  EVIDENCE_PREDICATE_TYPE,
  IN_TOTO_PAYLOAD_TYPE,
  IN_TOTO_STATEMENT_TYPE,
  evidenceStatementSchema,
  findUnstorableText,
  type EvidenceStatement,
  type ResourceDescriptor,
} from '@cabc/contracts';
import { sha256Hex, signDsse } from '@cabc/crypto';
import { isUniqueViolation } from '@cabc/service-kit';
import { ConflictProblem, NotFoundProblem, UnprocessableProblem, encodeCursor, decodeCursor } from '@cabc/http-kit';
import type { OutboxProducer, OutboxRepository } from '@cabc/outbox';
import { z } from 'zod';
import type { CollectorKeys } from '../keys/collector-keys.ts';
import type { ToeApprovals } from '../toe-approvals/toe-approvals.ts';
import type { EvidenceRepository, StoredEvidence, StoredSubmission, SubmissionMode } from './evidence.repository.ts';
import type { EvidenceView, SubmissionView, UnifiedEvidence } from './evidence.schemas.ts';
import { mergeSubjects } from './subject-reference.ts';
import { adapterProblem } from './submission-problems.ts';

/** Who submits: a verified token's organization, subject and role (or the collector's own pull jobs). */
export interface Submitter {
  org: string;
  subject: string;
  role: 'pipeline' | 'auditee';
}

export interface UploadedFile {
  bytes: Buffer;
  filename?: string | undefined;
  mediaType?: string | undefined;
}

export type SubmissionInput =
  | { mode: 'unified'; evidence: UnifiedEvidence }
  | {
      mode: 'native' | 'multipart' | 'pull';
      toe: string;
      format?: FormatId | undefined;
      /** Subjects named by the request (`?model=`), added to those the file names. */
      subjects: ResourceDescriptor[];
      files: UploadedFile[];
    };

export type SubmissionResult =
  | { created: boolean; mode: 'unified'; view: EvidenceView }
  | { created: boolean; mode: Exclude<SubmissionMode, 'unified'>; view: SubmissionView };

interface PreparedItem {
  statement: EvidenceStatement;
  format: FormatId | null;
  fileName: string | null;
  rawSha256: string | null;
}

export function toEvidenceView(stored: StoredEvidence): EvidenceView {
  let receipt: unknown = null;
  if (stored.outbox.status === 'delivered' && stored.outbox.responseBody) {
    try {
      receipt = JSON.parse(stored.outbox.responseBody);
    } catch {
      receipt = null;
    }
  }
  return {
    id: stored.id,
    submissionId: stored.submissionId,
    toe: stored.toe,
    kind: stored.kind,
    format: stored.format,
    file: stored.fileName,
    rawSha256: stored.rawSha256,
    envelopeSha256: stored.envelopeSha256,
    statementSha256: stored.statementSha256,
    createdAt: stored.createdAt.toISOString(),
    delivery: {
      status: stored.outbox.status,
      attempts: stored.outbox.attempts,
      lastError: stored.outbox.lastError,
      deliveredAt: stored.outbox.deliveredAt?.toISOString() ?? null,
      receipt,
    },
  };
}

export function toStatement(input: UnifiedEvidence): EvidenceStatement {
  return evidenceStatementSchema.parse({
    _type: IN_TOTO_STATEMENT_TYPE,
    subject: input.subject,
    predicateType: EVIDENCE_PREDICATE_TYPE,
    predicate: {
      toe: input.toe,
      kind: input.kind,
      producer: input.producer,
      observedAt: input.observedAt,
      context: input.context ?? {},
      measurements: input.measurements ?? [],
      checks: input.checks ?? [],
      ...(input.raw ? { raw: input.raw } : {}),
    },
  });
}

/** One adapted item of a native file as an in-toto statement about the file's subjects plus the request's. */
function adaptedStatement(
  toe: string,
  item: AdaptedEvidence,
  requestSubjects: ResourceDescriptor[],
  where: string,
): EvidenceStatement {
  const subject = mergeSubjects(item.subjects, requestSubjects);
  if (subject.length === 0) {
    throw new UnprocessableProblem(
      'subject-required',
      'The evidence has no subject',
      `${where} names no sha256 digest of what it is about; name the model with ?model=<name>@sha256:<hex> (a form field "model" in multipart)`,
      [{ field: 'subject', message: 'no subject digest in the file or the request' }],
    );
  }
  const parsed = evidenceStatementSchema.safeParse({
    _type: IN_TOTO_STATEMENT_TYPE,
    subject,
    predicateType: EVIDENCE_PREDICATE_TYPE,
    predicate: {
      toe,
      kind: item.kind,
      producer: item.producer,
      observedAt: item.observedAt,
      context: item.context,
      measurements: item.measurements,
      checks: item.checks,
      raw: item.raw,
      ...(item.attestations ? { attestations: item.attestations } : {}),
    },
  });
  const unstorable = parsed.success ? findUnstorableText(parsed.data) : undefined;
  if (unstorable) {
    // The raw file is kept byte for byte (raw_artifacts); the statement made from it is text, which cannot hold this.
    throw new UnprocessableProblem(
      'unstorable-text',
      'The evidence holds text that cannot be stored',
      `${where}: ${unstorable.path}: ${unstorable.message}`,
      [{ field: unstorable.path, message: unstorable.message }],
    );
  }
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => ({
      field: issue.path.join('.') || 'body',
      message: issue.message,
    }));
    throw new UnprocessableProblem(
      'invalid-statement',
      'The evidence does not make a valid statement',
      `${where}: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`,
      fields,
    );
  }
  return parsed.data;
}

/** What an Idempotency-Key is bound to: the same key with another request is a conflict. */
function fingerprintOf(input: SubmissionInput): string {
  if (input.mode === 'unified')
    return sha256Hex(
      JSON.stringify({ mode: 'unified', statement: sha256Hex(JSON.stringify(toStatement(input.evidence))) }),
    );
  return sha256Hex(
    JSON.stringify({
      mode: input.mode,
      toe: input.toe,
      format: input.format ?? null,
      subjects: input.subjects.map((subject) => subject.digest.sha256),
      files: input.files.map((file) => ({ name: file.filename ?? null, sha256: sha256Hex(file.bytes) })),
    }),
  );
}

/** Media types that say nothing about the file (curl's and browsers' defaults): the format's own type is recorded. */
const genericMediaTypes = new Set([
  'application/octet-stream',
  'application/x-www-form-urlencoded',
  'text/plain',
  'multipart/form-data',
]);

function specificMediaType(mediaType: string | undefined): string | undefined {
  const base = mediaType?.split(';')[0]?.trim().toLowerCase();
  return base && !genericMediaTypes.has(base) && base.length <= 256 ? base : undefined;
}

const cursorSchema = z.object({ seq: z.string().regex(/^\d{1,19}$/) });

export function createEvidenceService(deps: {
  evidence: EvidenceRepository;
  outbox: OutboxRepository;
  producer: OutboxProducer;
  keys: Pick<CollectorKeys, 'activeKey'>;
  /** Refuses ToEs the assessment does not trust this collector for; without it every ToE is accepted. */
  approvals?: Pick<ToeApprovals, 'assertApproved'>;
  assessmentUrl: string;
  now?: () => Date;
}) {
  const destination = new URL('/v1/evidence', deps.assessmentUrl).toString();
  const now = deps.now ?? (() => new Date());

  async function resultOf(submission: StoredSubmission, created: boolean): Promise<SubmissionResult> {
    const items = (await deps.evidence.evidenceOfSubmission(submission.id)).map(toEvidenceView);
    if (submission.mode === 'unified') return { created, mode: 'unified', view: items[0]! };
    return {
      created,
      mode: submission.mode,
      view: { id: submission.id, toe: submission.toe, createdAt: submission.createdAt.toISOString(), evidence: items },
    };
  }

  async function replayOf(org: string, key: string, fingerprint: string): Promise<SubmissionResult | undefined> {
    const existing = await deps.evidence.findSubmissionByIdempotencyKey(org, key);
    if (!existing) return undefined;
    if (existing.fingerprint !== fingerprint) {
      throw new ConflictProblem(
        `Idempotency-Key "${key}" was already used for a different request`,
        { submissionId: existing.id },
        [{ field: 'header:idempotency-key', message: 'already used for a different request' }],
      );
    }
    return resultOf(existing, false);
  }

  function prepare(input: SubmissionInput): {
    toe: string;
    items: PreparedItem[];
    raws: Map<string, { mediaType: string; content: Buffer }>;
  } {
    const raws = new Map<string, { mediaType: string; content: Buffer }>();
    if (input.mode === 'unified') {
      return {
        toe: input.evidence.toe,
        items: [{ statement: toStatement(input.evidence), format: null, fileName: null, rawSha256: null }],
        raws,
      };
    }
    const observedAt = now().toISOString();
    const items: PreparedItem[] = [];
    input.files.forEach((file, index) => {
      const prefix = input.mode === 'multipart' ? `file[${index}]` : undefined;
      const where = file.filename ?? prefix ?? 'the file';
      let adapted;
      try {
        adapted = adapt(
          { bytes: file.bytes, filename: file.filename, mediaType: specificMediaType(file.mediaType) },
          { format: input.format, observedAt },
        );
      } catch (error) {
        if (error instanceof AdapterError)
          throw adapterProblem(error, { ...(prefix ? { prefix } : {}), file: file.filename });
        throw error;
      }
      if (adapted.evidence.length === 0) {
        throw new UnprocessableProblem(
          'no-evidence',
          'The file holds no evidence',
          `${where} (${adapted.format}) yields no evidence item`,
          [{ field: prefix ?? 'body', message: 'no evidence in the file' }],
        );
      }
      raws.set(adapted.rawSha256, { mediaType: adapted.evidence[0]!.raw.mediaType, content: file.bytes });
      for (const item of adapted.evidence) {
        items.push({
          statement: adaptedStatement(input.toe, item, input.subjects, where),
          format: adapted.format,
          fileName: file.filename ?? null,
          rawSha256: adapted.rawSha256,
        });
      }
    });
    return { toe: input.toe, items, raws };
  }

  return {
    /**
     * Turns the request into signed statements (one per evidence item) and stores them, the raw files, the
     * submission and one outbox row per statement in one transaction; delivery follows the commit. `within` runs in
     * the same transaction (the MLflow poller records the run it collected there).
     */
    async submit(
      input: SubmissionInput,
      submitter: Submitter,
      options: {
        idempotencyKey?: string | undefined;
        within?: (
          trx: Parameters<Parameters<EvidenceRepository['transaction']>[0]>[0],
          submissionId: string,
        ) => Promise<void>;
      } = {},
    ): Promise<SubmissionResult> {
      const fingerprint = fingerprintOf(input);
      const key = options.idempotencyKey;
      if (key) {
        const replay = await replayOf(submitter.org, key, fingerprint);
        if (replay) return replay;
      }
      await deps.approvals?.assertApproved(
        input.mode === 'unified' ? input.evidence.toe : input.toe,
        input.mode === 'native' ? 'query:toe' : 'toe',
      );
      const { toe, items, raws } = prepare(input);
      const signer = await deps.keys.activeKey();
      const signed = items.map((item) => {
        const statement = {
          ...item.statement,
          predicate: {
            ...item.statement.predicate,
            submitter: { org: submitter.org, subject: submitter.subject, role: submitter.role },
          },
        };
        const payload = Buffer.from(JSON.stringify(statement), 'utf8');
        const envelope = JSON.stringify(
          signDsse(payload, IN_TOTO_PAYLOAD_TYPE, [{ keyid: signer.kid, privateKey: signer.privateKey }]),
        );
        return { ...item, envelope, envelopeSha256: sha256Hex(envelope), statementSha256: sha256Hex(payload) };
      });
      const submissionId = randomUUID();
      let outboxIds: number[];
      try {
        outboxIds = await deps.evidence.transaction(async (trx) => {
          await deps.evidence.insertSubmission(
            {
              id: submissionId,
              org: submitter.org,
              submittedBy: submitter.subject,
              submitterRole: submitter.role,
              toe,
              mode: input.mode,
              fingerprint,
              idempotencyKey: key ?? null,
            },
            trx,
          );
          for (const [sha256, raw] of raws)
            await deps.evidence.putRawArtifact({ sha256, mediaType: raw.mediaType, content: raw.content }, trx);
          const ids: number[] = [];
          for (const [index, item] of signed.entries()) {
            const outboxId = await deps.outbox.add(
              {
                topic: 'evidence',
                orderingKey: toe,
                destination,
                contentType: 'application/json',
                body: item.envelope,
              },
              trx,
            );
            ids.push(outboxId);
            await deps.evidence.insertEvidence(
              {
                id: randomUUID(),
                submissionId,
                itemIndex: index,
                org: submitter.org,
                toe,
                kind: item.statement.predicate.kind,
                format: item.format,
                fileName: item.fileName,
                rawSha256: item.rawSha256,
                envelope: item.envelope,
                envelopeSha256: item.envelopeSha256,
                statementSha256: item.statementSha256,
                outboxId,
              },
              trx,
            );
          }
          await options.within?.(trx, submissionId);
          return ids;
        });
      } catch (error) {
        // A concurrent request with the same Idempotency-Key won the race.
        if (key && isUniqueViolation(error)) {
          const replay = await replayOf(submitter.org, key, fingerprint);
          if (replay) return replay;
        }
        throw error;
      }
      await deps.producer.kick(outboxIds);
      const stored = await deps.evidence.findSubmission(submitter.org, submissionId);
      return resultOf(stored!, true);
    },

    async get(org: string, id: string): Promise<EvidenceView> {
      const stored = await deps.evidence.findById(org, id);
      if (!stored) throw new NotFoundProblem(`no evidence ${id}`, [{ field: 'path:id', message: 'no such evidence' }]);
      return toEvidenceView(stored);
    },

    async submission(org: string, id: string): Promise<SubmissionView> {
      const stored = await deps.evidence.findSubmission(org, id);
      if (!stored)
        throw new NotFoundProblem(`no submission ${id}`, [{ field: 'path:id', message: 'no such submission' }]);
      const items = (await deps.evidence.evidenceOfSubmission(id)).map(toEvidenceView);
      return { id: stored.id, toe: stored.toe, createdAt: stored.createdAt.toISOString(), evidence: items };
    },

    async list(
      org: string,
      query: { toe?: string | undefined; cursor?: string | undefined; limit: number },
    ): Promise<{ items: EvidenceView[]; nextCursor: string | null }> {
      const position = decodeCursor(query.cursor, cursorSchema);
      const rows = await deps.evidence.list(org, { toe: query.toe, beforeSeq: position?.seq, limit: query.limit + 1 });
      const page = rows.slice(0, query.limit);
      const last = page.at(-1);
      return {
        items: page.map(toEvidenceView),
        nextCursor: rows.length > query.limit && last ? encodeCursor({ seq: last.seq }) : null,
      };
    },

    async envelope(org: string, id: string): Promise<string> {
      const envelope = await deps.evidence.findEnvelope(org, id);
      if (!envelope)
        throw new NotFoundProblem(`no evidence ${id}`, [{ field: 'path:id', message: 'no such evidence' }]);
      return envelope;
    },

    async raw(org: string, sha256: string): Promise<{ mediaType: string; content: Buffer }> {
      const raw = await deps.evidence.findRawArtifact(org, sha256);
      if (!raw)
        throw new NotFoundProblem(`no raw artifact ${sha256}`, [
          { field: 'path:sha256', message: 'no such raw artifact' },
        ]);
      return raw;
    },
  };
}

export type EvidenceService = ReturnType<typeof createEvidenceService>;
