import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { startPeriodic } from '@cabc/service-kit';
import type { CertificationService } from '../modules/certifications/certification.service.ts';

/**
 * Applies time-based transitions (grace period over, validity ended, evidence stale). Deadlines live in Postgres
 * (`certifications.next_deadline`), so this survives restarts and a lost Redis; a plain timer polls for the due ones.
 * Several replicas may poll at once: each tick takes the ToE's lock and the decision is level-triggered, so a second
 * tick for the same deadline changes nothing.
 */
export function startDeadlineScheduler(deps: {
  certification: CertificationService;
  logger: Logger;
  intervalMs: number;
}) {
  const applyDue = async (): Promise<number> => {
    const due = await deps.certification.dueCertifications(500);
    for (const { id, toe } of due) {
      const outcome = await deps.certification.tick(id, `schedule:${randomUUID()}`);
      if (outcome?.outcome === 'applied')
        deps.logger.info({ toe, certificationId: id, ...outcome }, 'time-based certificate transition');
    }
    return due.length;
  };
  const task = startPeriodic({
    run: applyDue,
    intervalMs: deps.intervalMs,
    onError: (error) => deps.logger.warn({ err: error }, 'deadline run failed; will try again'),
  });
  return { runOnce: task.runOnce, close: task.stop };
}
