import { ConflictProblem } from '@cabc/http-kit';

export const scopeStates = ['draft', 'submitted', 'changes_requested', 'approved', 'rejected', 'superseded'] as const;
export type ScopeState = (typeof scopeStates)[number];

export const scopeActions = ['edit', 'submit', 'request_changes', 'approve', 'reject', 'supersede'] as const;
export type ScopeAction = (typeof scopeActions)[number];

/** The one transition table of the scope review workflow; a missing cell is refused. */
export const scopeTransitions: Readonly<Record<ScopeState, Partial<Record<ScopeAction, ScopeState>>>> = {
  draft: { edit: 'draft', submit: 'submitted' },
  submitted: { request_changes: 'changes_requested', approve: 'approved', reject: 'rejected' },
  changes_requested: { edit: 'changes_requested', submit: 'submitted' },
  approved: { supersede: 'superseded' },
  rejected: {},
  superseded: {},
};

/** The state after `action`, or a 409 that says the current state and what it allows. */
export function nextScopeState(current: ScopeState, action: ScopeAction): ScopeState {
  const next = scopeTransitions[current][action];
  if (!next) {
    const allowed = Object.keys(scopeTransitions[current]);
    throw new ConflictProblem(
      `cannot ${action.replace('_', ' ')} a scope version that is ${current}${allowed.length ? ` (allowed: ${allowed.join(', ')})` : ''}`,
      { currentState: current },
    );
  }
  return next;
}
