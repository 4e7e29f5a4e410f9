import type { RequirementStatus, ResultInput } from './bundle-input.ts';

export interface EvaluationWindow {
  start: Date;
  end: Date;
}

/** Limits of one bundle: beyond them the export names the limit instead of growing without bound. */
export const BUNDLE_LIMITS = { maxWindows: 400, maxEvidence: 5_000, minWindowMs: 3_600_000 } as const;

/**
 * The period cut into windows of `lengthMs`, aligned to multiples of the length since the Unix epoch (P1D windows
 * are UTC days), so that a later export has the same windows and only the last one grows.
 */
export function evaluationWindows(from: Date, to: Date, lengthMs: number): EvaluationWindow[] {
  const windows: EvaluationWindow[] = [];
  let start = new Date(from.getTime());
  while (start.getTime() < to.getTime()) {
    const boundary = (Math.floor(start.getTime() / lengthMs) + 1) * lengthMs;
    const end = new Date(Math.min(boundary, to.getTime()));
    windows.push({ start, end });
    start = end;
  }
  return windows;
}

const failing = (status: RequirementStatus) => status === 'non_compliant' || status === 'error';

export interface RequirementInWindow {
  requirementId: string;
  /** The result in force when the window began (the newest before it), if any. */
  atStart: ResultInput | undefined;
  /** Results evaluated in the window, oldest first. */
  results: ResultInput[];
  /** The result in force when the window ended. */
  final: ResultInput | undefined;
  /** Results in force at some moment of the window that failed (non_compliant or error), oldest first. */
  failures: ResultInput[];
}

/** What happened to one requirement in one window, from its result history (any order). */
export function requirementInWindow(
  requirementId: string,
  history: ResultInput[],
  window: EvaluationWindow,
): RequirementInWindow {
  const own = history
    .filter((result) => result.requirementId === requirementId)
    .sort((a, b) => Date.parse(a.evaluatedAt) - Date.parse(b.evaluatedAt) || a.id - b.id);
  const start = window.start.getTime();
  const end = window.end.getTime();
  const before = own.filter((result) => Date.parse(result.evaluatedAt) < start);
  const atStart = before.at(-1);
  const results = own.filter(
    (result) => Date.parse(result.evaluatedAt) >= start && Date.parse(result.evaluatedAt) < end,
  );
  const inForce = [...(atStart ? [atStart] : []), ...results];
  return {
    requirementId,
    atStart,
    results,
    final: inForce.at(-1),
    failures: inForce.filter((result) => failing(result.status)),
  };
}

export const isFailing = (result: ResultInput | undefined) => result !== undefined && failing(result.status);

/** The posture from requirement statuses (docs/design.md §4): the worst wins; no result is pending. */
export function postureOf(statuses: (RequirementStatus | undefined)[]): RequirementStatus {
  const all = statuses.map((status) => status ?? 'pending');
  for (const status of ['non_compliant', 'error', 'pending'] as const) if (all.includes(status)) return status;
  return 'compliant';
}
