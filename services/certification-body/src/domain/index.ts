export * from './certificate-states.ts';
export * from './reason-codes.ts';
export * from './lifecycle-events.ts';
export * from './transition-errors.ts';
export * from './certificate-transitions.ts';
export {
  openCertification,
  transitionCertification,
  type AppliedPosture,
  type ApprovalInput,
  type CertificateSnapshot,
  type CertificationDecisionState,
  type ClockTickInput,
  type Decision,
  type DecisionInput,
  type PostureCallbackInput,
} from './decision-state.ts';
export * from './decision-policy.ts';
export { nextDeadline } from './lifecycle-clock.ts';
export * from './certificate-status.ts';
export * from './policy-limits.ts';
