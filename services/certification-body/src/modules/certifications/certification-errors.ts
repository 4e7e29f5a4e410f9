import { ConflictProblem, HttpProblem, NotFoundProblem } from '@cabc/http-kit';

/** A posture callback names a scope version for which no certification is open: nothing to act on. */
export class UnknownCertificationProblem extends HttpProblem {
  constructor(detail: string) {
    super(422, 'unknown-certification', 'Unknown certification', detail, {
      fields: [{ field: 'claims.scopeVersion', message: detail }],
    });
  }
}

export function certificateNotFound(id: string): NotFoundProblem {
  return new NotFoundProblem(`no certificate ${id}`, [{ field: 'path:id', message: 'no such certificate' }]);
}

export function certificationNotFound(id: string): NotFoundProblem {
  return new NotFoundProblem(`no certification ${id}`, [{ field: 'path:id', message: 'no such certification' }]);
}

/** The certificate is not live (or not the one its certification holds): the request cannot move it. */
export function notLive(what: string, state: string): ConflictProblem {
  return new ConflictProblem(`${what} is ${state}; only an issued or suspended certificate can be changed`, { state });
}
