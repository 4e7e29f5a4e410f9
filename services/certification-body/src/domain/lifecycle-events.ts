import type { ReasonName } from './reason-codes.ts';

export const lifecycleEventTypes = ['issue', 'suspend', 'reinstate', 'revoke', 'expire', 'withdraw'] as const;
export type LifecycleEventType = (typeof lifecycleEventTypes)[number];

/**
 * What made the certification body act: a verified callback (ref: assessment or approval id),
 * a scheduled clock tick (ref: schedule run id) or a request over the API (ref: request id).
 */
export type Cause = {
  readonly kind: 'callback' | 'schedule' | 'request';
  readonly ref: string;
  /** For decisions on an assessment: the auditor's ledger checkpoint covering the evidence it read. */
  readonly ledgerCheckpoint?: { readonly size: number; readonly rootHash: string; readonly note: string } | undefined;
};

export type LifecycleEvent = {
  readonly type: LifecycleEventType;
  /** Must be one of the reasons the transition table allows for the cell; defaults to the cell's first. */
  readonly reason?: ReasonName;
  /** Human-readable explanation kept in the history entry. */
  readonly detail: string;
  readonly cause: Cause;
};
