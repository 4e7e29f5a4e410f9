export const certificateStates = ['issued', 'suspended', 'revoked', 'expired', 'withdrawn'] as const;
export type CertificateState = (typeof certificateStates)[number];

/** No transition leaves these states; a new certificate needs a new certification. */
export const terminalStates = ['revoked', 'expired', 'withdrawn'] as const satisfies readonly CertificateState[];
export type TerminalState = (typeof terminalStates)[number];
export type LiveState = Exclude<CertificateState, TerminalState>;

/**
 * A certification is open (approval received) but no certificate has been issued yet.
 * It is a lifecycle state, not a certificate state: no certificate is ever stored as `none`.
 */
export const NO_CERTIFICATE = 'none';
export type LifecycleState = typeof NO_CERTIFICATE | CertificateState;
export const lifecycleStates: readonly LifecycleState[] = [NO_CERTIFICATE, ...certificateStates];

export function isTerminal(state: LifecycleState): state is TerminalState {
  return (terminalStates as readonly LifecycleState[]).includes(state);
}

/** A live certificate is one the clock and posture can still move: issued or suspended. */
export function isLive(state: LifecycleState): state is LiveState {
  return state !== NO_CERTIFICATE && !isTerminal(state);
}
