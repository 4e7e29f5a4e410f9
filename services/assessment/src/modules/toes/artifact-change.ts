import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Principal } from '@cabc/auth';
import { ConflictProblem } from '@cabc/http-kit';
import type { AuditRepository } from '../audit/audit.repository.ts';
import type { ScopeArtifacts } from '../scopes/scope-document.schema.ts';
import { nextScopeState } from '../scopes/scope-workflow.ts';
import type { ScopeVersion, ScopesRepository } from '../scopes/scopes.repository.ts';
import { scopeDigest } from '../scopes/scope-digest.ts';
import type { ToeView } from './toes.schemas.ts';

const key = (artifacts: ScopeArtifacts) =>
  JSON.stringify([artifacts.models, artifacts.datasets].map((list) => list.map((a) => `${a.name}@${a.sha256}`)));

export const sameArtifacts = (a: ScopeArtifacts, b: ScopeArtifacts) => key(a) === key(b);

/**
 * An artifact change of a ToE that has a scope goes into a scope version, never straight into what is certified:
 * the open version (draft or changes requested) takes the new artifacts, or a new draft copied from the approved
 * version is made. A version under review is not changed behind the auditor's back (409).
 */
export async function proposeArtifacts(
  deps: { scopes: ScopesRepository; audit: AuditRepository },
  principal: Principal,
  toe: ToeView,
  artifacts: ScopeArtifacts,
  trx: Transaction<any>,
): Promise<ScopeVersion | undefined> {
  const open = await deps.scopes.inState(toe.id, ['draft', 'submitted', 'changes_requested'], trx);
  if (open?.state === 'submitted') {
    throw new ConflictProblem(
      `scope version ${open.version} is under review; artifacts can change once the auditor has decided on it`,
      { currentState: open.state, version: open.version },
      [{ field: 'artifacts', message: `scope version ${open.version} is under review` }],
    );
  }
  const audit = (scope: ScopeVersion, action: string, beforeDigest: string | null) =>
    deps.audit.record(
      {
        org: toe.org,
        toeId: toe.id,
        actor: principal.subject,
        role: principal.role,
        action,
        entity: `scope:${toe.id}@${scope.version}`,
        beforeDigest,
        afterDigest: scope.digest,
        comment: 'artifacts changed through PATCH /v1/toes',
      },
      trx,
    );
  if (open) {
    const document = { ...open.document, artifacts };
    const updated = await deps.scopes.updateDocument(
      open.id,
      document,
      scopeDigest(document),
      nextScopeState(open.state, 'edit'),
      trx,
    );
    await audit(updated, 'scope.edited', open.digest);
    return updated;
  }
  const approved = await deps.scopes.inState(toe.id, ['approved'], trx);
  if (!approved) return undefined;
  const document = { ...approved.document, artifacts };
  const draft = await deps.scopes.insert(
    {
      id: randomUUID(),
      toeId: toe.id,
      version: (await deps.scopes.latestVersionNumber(toe.id, trx)) + 1,
      state: 'draft',
      document,
      digest: scopeDigest(document),
      createdBy: principal.subject,
    },
    trx,
  );
  await audit(draft, 'scope.drafted', null);
  return draft;
}
