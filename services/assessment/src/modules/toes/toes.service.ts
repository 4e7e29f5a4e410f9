import { randomBytes } from 'node:crypto';
import type { Principal } from '@cabc/auth';
import { canonicalJson, sha256Hex } from '@cabc/crypto';
import { NotFoundProblem } from '@cabc/http-kit';
import type { Transaction } from 'kysely';
import type { AuditRepository } from '../audit/audit.repository.ts';
import type { ScopesRepository } from '../scopes/scopes.repository.ts';
import { proposeArtifacts, sameArtifacts } from './artifact-change.ts';
import type { ToesRepository } from './toes.repository.ts';
import type { ToeInput, ToeUpdateResult, ToeView } from './toes.schemas.ts';

const definitionDigest = (toe: ToeInput) =>
  sha256Hex(
    canonicalJson({
      name: toe.name,
      businessPurpose: toe.businessPurpose,
      fieldOfOperation: toe.fieldOfOperation,
      riskClass: toe.riskClass,
      owner: toe.owner,
      artifacts: toe.artifacts,
    }),
  );

export function createToesService(deps: {
  toes: ToesRepository;
  audit: AuditRepository;
  scopes: ScopesRepository;
  lockToe: (toeId: string, trx: Transaction<any>) => Promise<void>;
}) {
  return {
    async create(principal: Principal, input: ToeInput): Promise<ToeView> {
      return deps.toes.transaction(async (trx) => {
        const toe = await deps.toes.insert(
          { ...input, id: `toe_${randomBytes(10).toString('hex')}`, org: principal.org, createdBy: principal.subject },
          trx,
        );
        await deps.audit.record(
          {
            org: principal.org,
            toeId: toe.id,
            actor: principal.subject,
            role: principal.role,
            action: 'toe.created',
            entity: `toe:${toe.id}`,
            beforeDigest: null,
            afterDigest: definitionDigest(toe),
            comment: null,
          },
          trx,
        );
        return toe;
      });
    },

    /**
     * Description fields change at once. Artifacts change at once only while the ToE has no approved scope; after
     * that they are pinned by it, and a change becomes a scope version to approve (`pendingArtifacts`, answered 202).
     */
    async update(principal: Principal, id: string, change: Partial<ToeInput>): Promise<ToeUpdateResult> {
      return deps.toes.transaction(async (trx) => {
        await deps.lockToe(id, trx);
        const before = await deps.toes.findInOrg(id, principal.org, trx);
        if (!before) throw new NotFoundProblem(`no ToE ${id}`);
        const artifacts = change.artifacts;
        const changesArtifacts = artifacts !== undefined && !sameArtifacts(artifacts, before.artifacts);
        const pinned = changesArtifacts && (await deps.scopes.approvedHead(id, trx)) !== undefined;
        const proposal = changesArtifacts ? await proposeArtifacts(deps, principal, before, artifacts, trx) : undefined;
        const after = await deps.toes.update(
          id,
          { ...before, ...change, artifacts: pinned ? before.artifacts : (artifacts ?? before.artifacts) },
          trx,
        );
        await deps.audit.record(
          {
            org: principal.org,
            toeId: id,
            actor: principal.subject,
            role: principal.role,
            action: 'toe.updated',
            entity: `toe:${id}`,
            beforeDigest: definitionDigest(before),
            afterDigest: definitionDigest(after),
            comment: pinned ? `artifacts proposed in scope version ${proposal?.version}` : null,
          },
          trx,
        );
        if (!pinned || !proposal || !artifacts) return { toe: after, pending: false };
        return {
          toe: {
            ...after,
            pendingArtifacts: { ...artifacts, scopeVersion: proposal.version, state: proposal.state },
          },
          pending: true,
        };
      });
    },

    async get(principal: Principal, id: string): Promise<ToeView> {
      const toe = await deps.toes.findInOrg(id, principal.org);
      if (!toe) throw new NotFoundProblem(`no ToE ${id}`);
      return toe;
    },

    list: (principal: Principal, page: Parameters<ToesRepository['list']>[1]) => deps.toes.list(principal.org, page),
  };
}

export type ToesService = ReturnType<typeof createToesService>;
