import { randomUUID } from 'node:crypto';
import type { Principal } from '@cabc/auth';
import { canonicalJson, sha256Hex } from '@cabc/crypto';
import { NotFoundProblem, UnprocessableProblem } from '@cabc/http-kit';
import type { AuditRepository } from '../audit/audit.repository.ts';
import type { InForceScopes } from '../evaluation/in-force-scope.ts';
import type { ToesRepository } from '../toes/toes.repository.ts';
import type { FindingsRepository, ManualFinding } from './findings.repository.ts';
import type { IntegrityFinding, IntegrityFindingsRepository } from './integrity-findings.repository.ts';

/** Longest window a manual finding may cover: a judgement is revisited at least yearly. */
const MAX_VALIDITY_MS = 366 * 86_400_000;

export interface FindingInput {
  requirementId: string;
  status: ManualFinding['status'];
  justification: string;
  validUntil: string;
}

export function createFindingsService(deps: {
  findings: FindingsRepository;
  /** Evidence rows that did not verify when read for evaluation (ledger_mismatch). */
  integrityFindings?: IntegrityFindingsRepository;
  toes: ToesRepository;
  inForce: InForceScopes;
  audit: AuditRepository;
  lockToe: (toeId: string, trx: any) => Promise<void>;
  transaction: <T>(work: (trx: any) => Promise<T>) => Promise<T>;
  /** Re-evaluates the ToE after the finding commits, so the override takes effect at once. */
  onRecorded: (toeId: string) => Promise<void>;
  now?: () => Date;
}) {
  const now = deps.now ?? (() => new Date());
  /** Records the finding in `trx`, which holds the ToE's lock; the caller re-evaluates the ToE after the commit. */
  const recordIn = async (
    principal: Principal,
    toeId: string,
    input: FindingInput,
    trx: any,
  ): Promise<ManualFinding> => {
    const toe = await deps.toes.findInOrg(toeId, principal.org, trx);
    if (!toe) throw new NotFoundProblem(`no ToE ${toeId}`, [{ field: 'path:toeId', message: 'unknown ToE' }]);
    const inForce = await deps.inForce.of(toeId, trx);
    if (!inForce?.requirements.some((entry) => entry.requirement.id === input.requirementId)) {
      throw new UnprocessableProblem(
        'invalid-finding',
        'Unknown requirement',
        `no requirement ${input.requirementId} in the approved scope`,
        [{ field: 'requirementId', message: 'not a requirement of the scope in force' }],
      );
    }
    const validFrom = now();
    const validUntil = new Date(input.validUntil);
    if (validUntil.getTime() <= validFrom.getTime() || validUntil.getTime() - validFrom.getTime() > MAX_VALIDITY_MS) {
      throw new UnprocessableProblem(
        'invalid-finding',
        'Invalid validity window',
        'validUntil must be in the future and at most 366 days ahead',
        [{ field: 'validUntil', message: 'must be after now and at most 366 days ahead' }],
      );
    }
    const recorded: ManualFinding = {
      id: randomUUID(),
      toeId,
      requirementId: input.requirementId,
      status: input.status,
      justification: input.justification,
      validFrom,
      validUntil,
      recordedBy: principal.subject,
      createdAt: validFrom,
    };
    await deps.findings.insert(recorded, trx);
    await deps.audit.record(
      {
        org: toe.org,
        toeId,
        actor: principal.subject,
        role: principal.role,
        action: 'finding.recorded',
        entity: `finding:${recorded.id}`,
        beforeDigest: null,
        afterDigest: sha256Hex(
          canonicalJson({
            ...recorded,
            validFrom: validFrom.toISOString(),
            validUntil: validUntil.toISOString(),
            createdAt: validFrom.toISOString(),
          }),
        ),
        comment: `${input.requirementId} → ${input.status} until ${validUntil.toISOString()}: ${input.justification}`,
      },
      trx,
    );
    return recorded;
  };
  return {
    recordIn,

    async record(principal: Principal, toeId: string, input: FindingInput): Promise<ManualFinding> {
      const finding = await deps.transaction(async (trx) => {
        await deps.lockToe(toeId, trx);
        return recordIn(principal, toeId, input, trx);
      });
      await deps.onRecorded(toeId);
      return finding;
    },

    async list(principal: Principal, toeId: string): Promise<ManualFinding[]> {
      if (!(await deps.toes.findInOrg(toeId, principal.org))) {
        throw new NotFoundProblem(`no ToE ${toeId}`, [{ field: 'path:toeId', message: 'unknown ToE' }]);
      }
      return deps.findings.list(toeId);
    },

    /** The ToE's integrity findings (open and resolved), oldest first. */
    async listIntegrity(principal: Principal, toeId: string): Promise<IntegrityFinding[]> {
      if (!(await deps.toes.findInOrg(toeId, principal.org))) {
        throw new NotFoundProblem(`no ToE ${toeId}`, [{ field: 'path:toeId', message: 'unknown ToE' }]);
      }
      return deps.integrityFindings ? deps.integrityFindings.list(toeId) : [];
    },
  };
}

export type FindingsService = ReturnType<typeof createFindingsService>;
