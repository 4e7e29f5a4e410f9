import { randomBytes } from 'node:crypto';
import type { Principal } from '@cabc/auth';
import { canonicalJson, sha256Hex } from '@cabc/crypto';
import { NotFoundProblem } from '@cabc/http-kit';
import type { AuditRepository } from '../audit/audit.repository.ts';
import type { ToesRepository } from './toes.repository.ts';
import type { ToeInput, ToeView } from './toes.schemas.ts';

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

export function createToesService(deps: { toes: ToesRepository; audit: AuditRepository }) {
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

    async update(principal: Principal, id: string, change: Partial<ToeInput>): Promise<ToeView> {
      return deps.toes.transaction(async (trx) => {
        const before = await deps.toes.findInOrg(id, principal.org, trx);
        if (!before) throw new NotFoundProblem(`no ToE ${id}`);
        const after = await deps.toes.update(id, { ...before, ...change }, trx);
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
            comment: null,
          },
          trx,
        );
        return after;
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
