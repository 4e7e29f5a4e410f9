import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Principal } from '@cabc/auth';
import { ConflictProblem, NotFoundProblem, UnprocessableProblem } from '@cabc/http-kit';
import type { OutboxProducer } from '@cabc/outbox';
import type { AuditEvent, AuditRepository } from '../audit/audit.repository.ts';
import type { ToesRepository } from '../toes/toes.repository.ts';
import type { ToeView } from '../toes/toes.schemas.ts';
import type { ScopeDecisionSender } from './scope-decisions.ts';
import type { ScopeDocument } from './scope-document.schema.ts';
import { nextScopeState, type ScopeAction } from './scope-workflow.ts';
import type { ScopeVersion, ScopesRepository } from './scopes.repository.ts';
import { scopeDigest } from './scope-digest.ts';
import { validateScopeDocument } from './validate-scope-document.ts';

export { scopeDigest } from './scope-digest.ts';

type Decision = 'request_changes' | 'approve' | 'reject';

export function createScopesService(deps: {
  scopes: ScopesRepository;
  toes: ToesRepository;
  audit: AuditRepository;
  decisions: ScopeDecisionSender;
  producer: OutboxProducer;
  lockToe: (toeId: string, trx: Transaction<any>) => Promise<void>;
  /** Called after an approval commits, to assess the ToE's stored evidence against the new scope. */
  onApproved?: (toeId: string) => Promise<void>;
  /** Called after any state change commits (which collector keys are trusted may have changed). */
  onStateChanged?: () => void;
  /** The estimated cost above which a CEL rule is refused (CEL_COST_LIMIT). */
  celCostLimit?: number;
}) {
  /** Runs `work` with the ToE locked; another organization's ToE is a 404, never a 403. */
  async function withToe<T>(
    principal: Principal,
    toeId: string,
    work: (toe: ToeView, trx: Transaction<any>) => Promise<T>,
  ): Promise<T> {
    return deps.scopes.transaction(async (trx) => {
      await deps.lockToe(toeId, trx);
      const toe = await deps.toes.findInOrg(toeId, principal.org, trx);
      if (!toe) throw new NotFoundProblem(`no ToE ${toeId}`, [{ field: 'path:toeId', message: 'unknown ToE' }]);
      return work(toe, trx);
    });
  }

  async function versionOf(toe: ToeView, version: number, trx: Transaction<any>): Promise<ScopeVersion> {
    const scope = await deps.scopes.find(toe.id, version, trx);
    if (!scope)
      throw new NotFoundProblem(`no scope version ${version} of ${toe.id}`, [
        { field: 'path:version', message: 'unknown version' },
      ]);
    return scope;
  }

  const event = (
    principal: Principal,
    toe: ToeView,
    scope: ScopeVersion,
    action: string,
    rest: Partial<AuditEvent>,
  ): AuditEvent => ({
    org: toe.org,
    toeId: toe.id,
    actor: principal.subject,
    role: principal.role,
    action,
    entity: `scope:${toe.id}@${scope.version}`,
    beforeDigest: null,
    afterDigest: null,
    comment: null,
    ...rest,
  });

  async function transition(
    principal: Principal,
    toeId: string,
    version: number,
    action: Decision | 'submit',
    comment: string | null,
  ) {
    const kicks: number[] = [];
    const result = await withToe(principal, toeId, async (toe, trx) => {
      const scope = await versionOf(toe, version, trx);
      const next = nextScopeState(scope.state, action as ScopeAction);
      if (action === 'submit' && scope.document.collectorKeys.length === 0) {
        throw new UnprocessableProblem(
          'invalid-scope',
          'Scope not ready',
          'a scope needs at least one collector key before it is submitted',
          [{ field: 'collectorKeys', message: 'at least one collector key is required' }],
        );
      }
      const decidedBy = action === 'submit' ? null : principal.subject;
      if (action === 'approve') {
        // The version in force gives way first: at most one approved version per ToE (a unique index holds it).
        const previous = await deps.scopes.inState(toe.id, ['approved'], trx);
        if (previous) {
          const superseded = await deps.scopes.setState(
            previous.id,
            nextScopeState(previous.state, 'supersede'),
            principal.subject,
            trx,
          );
          await deps.audit.record(
            event(principal, toe, superseded, 'scope.superseded', {
              comment: `superseded by version ${scope.version}`,
            }),
            trx,
          );
          kicks.push(
            await deps.decisions.write(
              {
                type: 'scope.superseded',
                toe,
                scope: superseded,
                decidedBy: principal.subject,
                comment: null,
                supersededBy: scope.version,
              },
              trx,
            ),
          );
        }
      }
      const updated = await deps.scopes.setState(scope.id, next, decidedBy, trx);
      // What the approved version pins is what the ToE is from now on (a PATCH only ever proposes it).
      if (action === 'approve' && scope.document.artifacts) {
        await deps.toes.setArtifacts(toe.id, scope.document.artifacts, trx);
      }
      await deps.audit.record(
        event(principal, toe, scope, `scope.${action}`, {
          beforeDigest: scope.digest,
          afterDigest: scope.digest,
          comment: comment ?? null,
        }),
        trx,
      );
      if (action === 'request_changes' && comment) {
        await deps.scopes.addComment(
          scope.id,
          { requirementId: null, author: principal.subject, role: principal.role, body: comment },
          trx,
        );
      }
      if (action === 'approve' || action === 'reject') {
        kicks.push(
          await deps.decisions.write(
            {
              type: action === 'approve' ? 'scope.approved' : 'scope.rejected',
              toe,
              scope: updated,
              decidedBy: principal.subject,
              comment,
              supersededBy: null,
            },
            trx,
          ),
        );
      }
      return updated;
    });
    if (kicks.length > 0) await deps.producer.kick(kicks);
    deps.onStateChanged?.();
    if (action === 'approve') await deps.onApproved?.(toeId);
    return result;
  }

  return {
    /** A new draft version: the given document, or a copy of the version in force. One open version at a time. */
    async createDraft(principal: Principal, toeId: string, input: unknown | undefined): Promise<ScopeVersion> {
      return withToe(principal, toeId, async (toe, trx) => {
        const open = await deps.scopes.inState(toe.id, ['draft', 'submitted', 'changes_requested'], trx);
        if (open) {
          throw new ConflictProblem(`version ${open.version} of this scope is still ${open.state}; finish it first`, {
            currentState: open.state,
            version: open.version,
          });
        }
        let source = input;
        if (source === undefined) {
          const inForce = await deps.scopes.inState(toe.id, ['approved'], trx);
          if (!inForce) {
            throw new UnprocessableProblem(
              'invalid-scope',
              'Scope document missing',
              'the first version needs a document',
              [{ field: 'document', message: 'required for the first version' }],
            );
          }
          source = inForce.document;
        }
        // A document that names no artifacts pins the ToE's (docs/initialization.md#pinned-artifacts).
        const { document } = await validateScopeDocument(source, {
          defaultArtifacts: toe.artifacts,
          celCostLimit: deps.celCostLimit,
        });
        const version = (await deps.scopes.latestVersionNumber(toe.id, trx)) + 1;
        const scope = await deps.scopes.insert(
          {
            id: randomUUID(),
            toeId: toe.id,
            version,
            state: 'draft',
            document,
            digest: scopeDigest(document),
            createdBy: principal.subject,
          },
          trx,
        );
        await deps.audit.record(event(principal, toe, scope, 'scope.drafted', { afterDigest: scope.digest }), trx);
        return scope;
      });
    },

    async edit(principal: Principal, toeId: string, version: number, input: unknown): Promise<ScopeVersion> {
      return withToe(principal, toeId, async (toe, trx) => {
        const scope = await versionOf(toe, version, trx);
        const next = nextScopeState(scope.state, 'edit');
        const { document } = await validateScopeDocument(input, {
          defaultArtifacts: scope.document.artifacts ?? toe.artifacts,
          celCostLimit: deps.celCostLimit,
        });
        const updated = await deps.scopes.updateDocument(scope.id, document, scopeDigest(document), next, trx);
        await deps.audit.record(
          event(principal, toe, scope, 'scope.edited', { beforeDigest: scope.digest, afterDigest: updated.digest }),
          trx,
        );
        return updated;
      });
    },

    submit: (principal: Principal, toeId: string, version: number) =>
      transition(principal, toeId, version, 'submit', null),
    decide: (principal: Principal, toeId: string, version: number, decision: Decision, comment: string | null) =>
      transition(principal, toeId, version, decision, comment),

    async comment(
      principal: Principal,
      toeId: string,
      version: number,
      input: { requirementId?: string | undefined; body: string },
    ) {
      return withToe(principal, toeId, async (toe, trx) => {
        const scope = await versionOf(toe, version, trx);
        if (
          input.requirementId &&
          !scope.document.requirements.some((requirement) => requirement.id === input.requirementId)
        ) {
          throw new UnprocessableProblem(
            'invalid-comment',
            'Unknown requirement',
            `no requirement ${input.requirementId} in version ${version}`,
            [{ field: 'requirementId', message: 'not a requirement of this scope version' }],
          );
        }
        const comment = await deps.scopes.addComment(
          scope.id,
          {
            requirementId: input.requirementId ?? null,
            author: principal.subject,
            role: principal.role,
            body: input.body,
          },
          trx,
        );
        await deps.audit.record(event(principal, toe, scope, 'scope.commented', { comment: input.body }), trx);
        return comment;
      });
    },

    async get(principal: Principal, toeId: string, version: number) {
      const toe = await deps.toes.findInOrg(toeId, principal.org);
      if (!toe) throw new NotFoundProblem(`no ToE ${toeId}`, [{ field: 'path:toeId', message: 'unknown ToE' }]);
      const scope = await deps.scopes.find(toeId, version);
      if (!scope)
        throw new NotFoundProblem(`no scope version ${version} of ${toeId}`, [
          { field: 'path:version', message: 'unknown version' },
        ]);
      return { scope, comments: await deps.scopes.comments(scope.id) };
    },

    async list(principal: Principal, toeId: string) {
      const toe = await deps.toes.findInOrg(toeId, principal.org);
      if (!toe) throw new NotFoundProblem(`no ToE ${toeId}`, [{ field: 'path:toeId', message: 'unknown ToE' }]);
      return deps.scopes.list(toeId);
    },
  };
}

export type ScopesService = ReturnType<typeof createScopesService>;
