export interface ProblemField {
  /** Where the problem is: a dotted path into the body, or `header:x`, `query:y`, `path:z`. */
  field: string;
  message: string;
}

/** A typed error that the error handler turns into an RFC 9457 application/problem+json answer. */
export class HttpProblem extends Error {
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly fields: ProblemField[];
  readonly extensions: Record<string, unknown>;

  constructor(
    status: number,
    slug: string,
    title: string,
    detail: string,
    options: { fields?: ProblemField[]; extensions?: Record<string, unknown> } = {},
  ) {
    super(detail);
    this.name = 'HttpProblem';
    this.status = status;
    this.type = `https://cabc.dev/problems/${slug}`;
    this.title = title;
    this.fields = options.fields ?? [];
    this.extensions = options.extensions ?? {};
  }
}

export class BadRequestProblem extends HttpProblem {
  constructor(detail: string, fields: ProblemField[] = []) {
    super(400, 'bad-request', 'Bad request', detail, { fields });
  }
}

export class UnauthorizedProblem extends HttpProblem {
  constructor(detail: string) {
    super(401, 'unauthorized', 'Unauthorized', detail);
  }
}

export class ForbiddenProblem extends HttpProblem {
  constructor(detail: string) {
    super(403, 'forbidden', 'Forbidden', detail);
  }
}

export class NotFoundProblem extends HttpProblem {
  constructor(detail: string, fields: ProblemField[] = []) {
    super(404, 'not-found', 'Not found', detail, { fields });
  }
}

export class ConflictProblem extends HttpProblem {
  constructor(detail: string, extensions: Record<string, unknown> = {}, fields: ProblemField[] = []) {
    super(409, 'conflict', 'Conflict', detail, { extensions, fields });
  }
}

/** 429: a limit was reached; the answer carries `Retry-After` (seconds) and names what was limited. */
export class TooManyRequestsProblem extends HttpProblem {
  readonly retryAfterSeconds: number;
  constructor(detail: string, retryAfterSeconds: number, field: string) {
    super(429, 'rate-limited', 'Too many requests', detail, {
      fields: [{ field, message: detail }],
      extensions: { retryAfter: retryAfterSeconds },
    });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export class UnprocessableProblem extends HttpProblem {
  constructor(slug: string, title: string, detail: string, fields: ProblemField[] = []) {
    super(422, slug, title, detail, { fields });
  }
}
