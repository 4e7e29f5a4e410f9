import type { LifecycleState } from './certificate-states.ts';
import type { LifecycleEventType } from './lifecycle-events.ts';
import type { ReasonName } from './reason-codes.ts';

/** The event is not allowed in the certificate's current state (the HTTP layer answers 409). */
export class ForbiddenTransitionError extends Error {
  override readonly name = 'ForbiddenTransitionError';
  readonly from: LifecycleState;
  readonly event: LifecycleEventType;

  constructor(from: LifecycleState, event: LifecycleEventType) {
    super(`event '${event}' is not allowed for a certificate in state '${from}'`);
    this.from = from;
    this.event = event;
  }
}

/** The transition exists but not for this reason, e.g. a withdrawal giving `non_compliance`. */
export class ReasonNotAllowedError extends Error {
  override readonly name = 'ReasonNotAllowedError';
  readonly from: LifecycleState;
  readonly event: LifecycleEventType;
  readonly reason: ReasonName;

  constructor(from: LifecycleState, event: LifecycleEventType, reason: ReasonName) {
    super(`reason '${reason}' is not allowed for event '${event}' in state '${from}'`);
    this.from = from;
    this.event = event;
    this.reason = reason;
  }
}
