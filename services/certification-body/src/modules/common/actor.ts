import type { Principal } from '@cabc/auth';

/** Who caused a change, as the audit trail keeps it. */
export type Actor =
  | { type: 'user'; subject: string; org: string; role: string }
  | { type: 'auditor'; jti: string }
  | { type: 'system'; component: string };

export function actorOf(principal: Principal): Actor {
  return { type: 'user', subject: principal.subject, org: principal.org, role: principal.role };
}

export function describeActor(actor: Actor): string {
  switch (actor.type) {
    case 'user':
      return `${actor.subject} (${actor.role}, org ${actor.org})`;
    case 'auditor':
      return `the auditor (callback ${actor.jti})`;
    case 'system':
      return `the certification body (${actor.component})`;
  }
}
