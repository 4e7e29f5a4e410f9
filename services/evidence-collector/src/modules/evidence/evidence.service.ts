import { randomUUID } from 'node:crypto';
import {
  EVIDENCE_PREDICATE_TYPE,
  IN_TOTO_PAYLOAD_TYPE,
  IN_TOTO_STATEMENT_TYPE,
  evidenceStatementSchema,
  type EvidenceStatement,
} from '@cabc/contracts';
import { sha256Hex, signDsse, type SigningKeyStore } from '@cabc/crypto';
import { isUniqueViolation } from '@cabc/database';
import { ConflictProblem, NotFoundProblem } from '@cabc/http-kit';
import type { OutboxProducer, OutboxRepository } from '@cabc/outbox';
import type { EvidenceRepository, StoredEvidence } from './evidence.repository.ts';
import type { EvidenceView, UnifiedEvidence } from './evidence.schemas.ts';

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
    toe: stored.toe,
    kind: stored.kind,
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

export function createEvidenceService(deps: {
  evidence: EvidenceRepository;
  outbox: OutboxRepository;
  producer: OutboxProducer;
  keys: SigningKeyStore;
  assessmentUrl: string;
}) {
  const destination = new URL('/v1/evidence', deps.assessmentUrl).toString();

  async function replayOf(key: string, statementSha256: string): Promise<EvidenceView | undefined> {
    const existing = await deps.evidence.findByIdempotencyKey(key);
    if (!existing) return undefined;
    if (existing.statementSha256 !== statementSha256) {
      throw new ConflictProblem(
        `Idempotency-Key "${key}" was already used for different evidence`,
        { evidenceId: existing.id },
        [{ field: 'header:idempotency-key', message: 'already used for different evidence' }],
      );
    }
    return toEvidenceView(existing);
  }

  return {
    /** Wraps, signs and stores the evidence with its outbox row in one transaction; delivery follows the commit. */
    async submit(input: UnifiedEvidence, idempotencyKey?: string): Promise<{ created: boolean; view: EvidenceView }> {
      const statement = toStatement(input);
      const payload = Buffer.from(JSON.stringify(statement), 'utf8');
      const statementSha256 = sha256Hex(payload);
      if (idempotencyKey) {
        const replay = await replayOf(idempotencyKey, statementSha256);
        if (replay) return { created: false, view: replay };
      }
      const key = await deps.keys.active();
      const envelope = JSON.stringify(signDsse(payload, IN_TOTO_PAYLOAD_TYPE, [{ keyid: key.kid, privateKey: key.privateKey }]));
      const id = randomUUID();
      let outboxId: number;
      try {
        outboxId = await deps.evidence.transaction(async (trx) => {
          const newOutboxId = await deps.outbox.add(
            { topic: 'evidence', orderingKey: input.toe, destination, contentType: 'application/json', body: envelope },
            trx,
          );
          await deps.evidence.insert(
            {
              id,
              toe: input.toe,
              kind: input.kind,
              envelope,
              envelopeSha256: sha256Hex(envelope),
              statementSha256,
              outboxId: newOutboxId,
              idempotencyKey: idempotencyKey ?? null,
            },
            trx,
          );
          return newOutboxId;
        });
      } catch (error) {
        // A concurrent request with the same Idempotency-Key won the race.
        if (idempotencyKey && isUniqueViolation(error)) {
          const replay = await replayOf(idempotencyKey, statementSha256);
          if (replay) return { created: false, view: replay };
        }
        throw error;
      }
      await deps.producer.kick([outboxId]);
      const stored = await deps.evidence.findById(id);
      return { created: true, view: toEvidenceView(stored!) };
    },

    async get(id: string): Promise<EvidenceView> {
      const stored = await deps.evidence.findById(id);
      if (!stored) throw new NotFoundProblem(`no evidence ${id}`, [{ field: 'path:id', message: 'no such evidence' }]);
      return toEvidenceView(stored);
    },

    async envelope(id: string): Promise<string> {
      const envelope = await deps.evidence.findEnvelope(id);
      if (!envelope) throw new NotFoundProblem(`no evidence ${id}`, [{ field: 'path:id', message: 'no such evidence' }]);
      return envelope;
    },
  };
}

export type EvidenceService = ReturnType<typeof createEvidenceService>;
