import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Principal } from '@cabc/auth';
import type { Posture, RequirementStatus } from '@cabc/contracts';
import { NotFoundProblem } from '@cabc/http-kit';
import { aggregatePosture, type EvidenceRecord } from '@cabc/rules';
import type { EvaluationRepository } from '../evaluation/evaluation.repository.ts';
import {
  collectorKeyIdsOf,
  pinnedArtifacts,
  pinnedDigests,
  wantsOf,
  type InForceRequirement,
  type InForceScopes,
} from '../evaluation/in-force-scope.ts';
import { neverSeenMetrics, readEvidenceOf } from './dry-run-reads.ts';
import { evaluateRequirement } from '../evaluation/requirement-evaluation.ts';
import type { ScopesRepository } from '../scopes/scopes.repository.ts';
import type { ToesRepository } from '../toes/toes.repository.ts';

/** How many of the newest evidence arrivals the timeline replays. */
const TIMELINE_STEPS = 100;

export class DryRunBudgetExceeded extends Error {
  constructor(budgetMs: number, done: number, planned: number) {
    super(
      `the dry run took longer than its time budget of ${budgetMs} ms (stopped after ${done} of ${planned} requirement evaluations)`,
    );
    this.name = 'DryRunBudgetExceeded';
  }
}

/** What a dry run is of: a scope version of a ToE, asked for by a member of the ToE's organization. */
export interface DryRunRequest {
  toe: string;
  version: number;
  org: string;
}

export function createDryRunService(deps: {
  toes: ToesRepository;
  scopes: ScopesRepository;
  inForce: InForceScopes;
  evaluations: EvaluationRepository;
  now?: () => Date;
}) {
  const now = deps.now ?? (() => new Date());
  async function find(org: string, toeId: string, version: number) {
    const toe = await deps.toes.findInOrg(toeId, org);
    if (!toe) throw new NotFoundProblem(`no ToE ${toeId}`, [{ field: 'path:toeId', message: 'unknown ToE' }]);
    const scope = await deps.scopes.find(toeId, version);
    if (!scope)
      throw new NotFoundProblem(`no scope version ${version} of ${toeId}`, [
        { field: 'path:version', message: 'unknown version' },
      ]);
    return { toe, scope };
  }

  return {
    /** Checks that the ToE and version exist for the principal; the dry run itself is the worker's (compute). */
    async request(principal: Principal, toeId: string, version: number): Promise<DryRunRequest> {
      await find(principal.org, toeId, version);
      return { toe: toeId, version, org: principal.org };
    },

    /**
     * What a scope version would decide on the ToE's stored evidence, without storing anything: the results now, and
     * the posture after each of the most recent evidence arrivals, replayed in the order they were received. Runs in
     * the dry-run worker: it yields to the event loop between requirement evaluations and stops past `budgetMs`, so one
     * arrival of a scope with hundreds of expensive requirements cannot hold the service's event loop either.
     */
    async compute(request: DryRunRequest, budgetMs: number) {
      const deadline = performance.now() + budgetMs;
      const toeId = request.toe;
      const version = request.version;
      const { toe, scope } = await find(request.org, toeId, version);
      let evaluated = 0;
      let planned = 0;
      const checkBudget = async () => {
        if (performance.now() > deadline) throw new DryRunBudgetExceeded(budgetMs, evaluated, planned);
        await yieldToEventLoop();
      };
      const requirements = deps.inForce.compile(scope);
      const artifacts = pinnedArtifacts(scope, toe.artifacts);
      // The timeline replays up to TIMELINE_STEPS arrivals, so each want is loaded that much deeper than a rule reads.
      const loaded = await deps.evaluations.evidenceFor(
        toeId,
        wantsOf(requirements, TIMELINE_STEPS),
        await collectorKeyIdsOf(scope),
        pinnedDigests(artifacts),
      );
      const evidence = loaded.sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime());
      const digests = {
        modelDigests: artifacts.models.map((artifact) => artifact.sha256),
        datasetDigests: artifacts.datasets.map((artifact) => artifact.sha256),
      };
      const judge = async (available: EvidenceRecord[], at: Date) => {
        const results: { entry: InForceRequirement; result: ReturnType<typeof evaluateRequirement> }[] = [];
        for (const entry of requirements) {
          await checkBudget();
          results.push({ entry, result: evaluateRequirement(entry, available, digests, at) });
          evaluated += 1;
        }
        const summary = aggregatePosture(
          results.map(({ entry, result }) => ({
            status: result.status,
            severity: entry.requirement.severity,
            critical: entry.requirement.critical,
          })),
        );
        return { results, summary };
      };

      const timeline: {
        at: string;
        evidenceId: string;
        posture: Posture;
        changes: { requirementId: string; status: RequirementStatus }[];
      }[] = [];
      let before = new Map<string, RequirementStatus>();
      const firstStep = Math.max(0, evidence.length - TIMELINE_STEPS);
      planned = requirements.length * (evidence.length - firstStep + 1 + (firstStep > 0 ? 1 : 0));
      if (firstStep > 0)
        before = new Map(
          (await judge(evidence.slice(0, firstStep), evidence[firstStep - 1]!.receivedAt)).results.map(
            ({ entry, result }) => [entry.requirement.id, result.status],
          ),
        );
      for (let index = firstStep; index < evidence.length; index += 1) {
        const arrival = evidence[index]!;
        const { results, summary } = await judge(evidence.slice(0, index + 1), arrival.receivedAt);
        const after = new Map(results.map(({ entry, result }) => [entry.requirement.id, result.status]));
        const changes = [...after]
          .filter(([id, status]) => before.get(id) !== status)
          .map(([requirementId, status]) => ({ requirementId, status }));
        timeline.push({
          at: arrival.receivedAt.toISOString(),
          evidenceId: arrival.id,
          posture: summary.posture,
          changes,
        });
        before = after;
      }

      await checkBudget();
      const evaluatedAt = now();
      const { results, summary } = await judge(evidence, evaluatedAt);
      const neverSeen = await neverSeenMetrics(deps.evaluations, toeId, requirements);
      return {
        toeId,
        version,
        state: scope.state,
        evaluatedAt: evaluatedAt.toISOString(),
        evidenceConsidered: evidence.length,
        posture: summary.posture,
        criticalFailed: summary.criticalFailed,
        requirements: results.map(({ entry, result }) => ({
          id: entry.requirement.id,
          title: entry.requirement.title,
          ...result,
          read: readEvidenceOf(result, evidence),
          neverSeen: neverSeen.get(entry.requirement.id) ?? [],
        })),
        timeline,
      };
    },
  };
}

export type DryRunService = ReturnType<typeof createDryRunService>;
