import { z } from 'zod';
import { UnprocessableProblem } from '@cabc/http-kit';

/** Limits of a report: one export covers at most this long a window and this much evidence. */
export const REPORT_LIMITS = {
  maxWindowDays: 366,
  maxEvidence: 5_000,
  defaultWindowDays: 30,
} as const;

export const reportWindowQuerySchema = z.object({
  from: z.iso
    .datetime({ offset: true })
    .optional()
    .describe('start of the window (inclusive); default: `to` minus 30 days'),
  to: z.iso.datetime({ offset: true }).optional().describe('end of the window (exclusive); default: now'),
});

export interface ReportWindow {
  from: Date;
  to: Date;
}

/** The window of an export; empty, reversed or too long windows are 422 naming the limit. */
export function reportWindow(query: { from?: string | undefined; to?: string | undefined }, now: Date): ReportWindow {
  const to = query.to ? new Date(query.to) : now;
  const from = query.from
    ? new Date(query.from)
    : new Date(to.getTime() - REPORT_LIMITS.defaultWindowDays * 86_400_000);
  if (from.getTime() > to.getTime()) {
    throw new UnprocessableProblem(
      'report-window-reversed',
      'Reversed report window',
      `the window starts (${from.toISOString()}) after it ends (${to.toISOString()}): from must be earlier than to`,
      [{ field: 'query:from', message: 'must be earlier than to' }],
    );
  }
  if (from.getTime() === to.getTime()) {
    throw new UnprocessableProblem(
      'report-window-empty',
      'Empty report window',
      `the window from ${from.toISOString()} to ${to.toISOString()} is empty: from must be earlier than to`,
      [{ field: 'query:to', message: 'must be later than from' }],
    );
  }
  const days = (to.getTime() - from.getTime()) / 86_400_000;
  if (days > REPORT_LIMITS.maxWindowDays) {
    throw new UnprocessableProblem(
      'report-window-too-large',
      'Report window too large',
      `the window spans ${Math.ceil(days)} days; the limit is ${REPORT_LIMITS.maxWindowDays} days per report`,
      [{ field: 'query:from', message: `at most ${REPORT_LIMITS.maxWindowDays} days before to` }],
    );
  }
  return { from, to };
}

/** 422 when the window holds more evidence than one report lists. */
export function assertEvidenceWithinLimit(count: number, window: ReportWindow): void {
  if (count > REPORT_LIMITS.maxEvidence) {
    throw new UnprocessableProblem(
      'report-too-much-evidence',
      'Too much evidence for one report',
      `the window ${window.from.toISOString()} – ${window.to.toISOString()} holds ${count} evidence; the limit is ` +
        `${REPORT_LIMITS.maxEvidence} per report: narrow the window`,
      [{ field: 'query:from', message: `at most ${REPORT_LIMITS.maxEvidence} evidence per report` }],
    );
  }
}
