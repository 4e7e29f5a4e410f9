import type { Logger } from 'pino';
import type { OutboxProducer, OutboxRepository } from '@cabc/outbox';
import { startPeriodic } from '@cabc/service-kit';
import type { EvaluationRepository } from '../evaluation/evaluation.repository.ts';
import type { InForceScopes } from '../evaluation/in-force-scope.ts';
import { postureCallbackRow, type PostureCallbackTarget, type SignCheckpoint } from './posture-callback.ts';
import type { HeartbeatRepository } from './posture-heartbeat.repository.ts';

/**
 * The signed heartbeat: every `intervalMs`, the posture of each ToE with a scope in force is re-stated to the
 * certification body (`posture.restated`, the sequence of the posture it re-states, a fresh ledger checkpoint), so
 * a certification body that hears nothing can tell the assessment has gone silent. A ToE with a message to the
 * certification body still pending gets none: that message is signed fresh when it is finally sent.
 */
export function createPostureHeartbeat(deps: {
  heartbeats: HeartbeatRepository;
  evaluations: Pick<EvaluationRepository, 'transaction' | 'lockToe' | 'posture'>;
  inForce: InForceScopes;
  outbox: OutboxRepository;
  producer: OutboxProducer;
  target: PostureCallbackTarget;
  checkpoint?: SignCheckpoint | undefined;
  intervalMs: number;
  now?: () => Date;
}) {
  const now = deps.now ?? (() => new Date());

  async function restate(toe: string, at: Date): Promise<number | undefined> {
    return deps.evaluations.transaction(async (trx) => {
      await deps.evaluations.lockToe(toe, trx);
      const posture = await deps.evaluations.posture(toe, trx);
      // Stated meanwhile (an evaluation, another replica): not due any more.
      if (!posture || posture.statedAt.getTime() > at.getTime() - deps.intervalMs) return undefined;
      await deps.heartbeats.markStated(toe, at, trx);
      const inForce = await deps.inForce.of(toe, trx);
      if (!inForce || inForce.scope.version !== posture.scopeVersion) return undefined;
      if (await deps.heartbeats.hasPendingMessage(toe, trx)) return undefined;
      const checkpoint = deps.checkpoint ? await deps.checkpoint() : undefined;
      return deps.outbox.add(
        postureCallbackRow(
          deps.target,
          {
            type: 'posture.restated',
            toe,
            scopeVersion: inForce.scope.version,
            sequence: posture.sequence,
            assessmentId: posture.assessmentId,
            posture: posture.posture,
            previousPosture: posture.posture,
            criticalFailed: posture.criticalFailed,
            assessedAt: at.toISOString(),
            changes: [],
          },
          checkpoint,
        ),
        trx,
      );
    });
  }

  /** Re-states every posture not stated within the interval; returns how many callbacks it wrote. */
  async function runOnce(): Promise<number> {
    if (deps.intervalMs <= 0) return 0;
    const at = now();
    const sent: number[] = [];
    for (const toe of await deps.heartbeats.due(new Date(at.getTime() - deps.intervalMs), 500)) {
      const outboxId = await restate(toe, at);
      if (outboxId !== undefined) sent.push(outboxId);
    }
    if (sent.length > 0) await deps.producer.kick(sent);
    return sent.length;
  }

  return { runOnce };
}

export type PostureHeartbeat = ReturnType<typeof createPostureHeartbeat>;

/** The heartbeat on a plain timer (Postgres only), ticking often enough that no posture waits much past its interval. */
export function startPostureHeartbeat(heartbeat: PostureHeartbeat, deps: { logger: Logger; tickMs: number }) {
  return startPeriodic({
    run: heartbeat.runOnce,
    intervalMs: deps.tickMs,
    onError: (error) => deps.logger.warn({ err: error }, 'posture heartbeat failed; retrying at the next tick'),
  });
}
