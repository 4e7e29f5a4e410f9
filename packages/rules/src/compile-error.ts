import type { z } from 'zod';

/** Where a rule is wrong, as a dotted path (`rule.target`, `rule.kinds.1`), and what is wrong there. */
export interface RuleIssue {
  field: string;
  message: string;
}

/** A rule that cannot be compiled; services answer it with a 422 that lists `issues`. */
export class RuleCompileError extends Error {
  readonly issues: RuleIssue[];

  constructor(issues: RuleIssue[]) {
    super(`invalid rule: ${issues.map((issue) => `${issue.field}: ${issue.message}`).join('; ')}`);
    this.name = 'RuleCompileError';
    this.issues = issues;
  }
}

function fieldPath(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}

/** Issues with fields relative to the rule document (`target`, `selector.metric`). */
export function issuesFromZod(error: z.ZodError): RuleIssue[] {
  return error.issues.flatMap((issue) => {
    // One issue per unknown key, so each names its own field.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: fieldPath([...issue.path, key]), message: 'unknown field' }));
    }
    if (issue.code === 'invalid_union' && issue.path.at(-1) === 'type') {
      const expected = issue.message.replace('Invalid discriminator value. ', '');
      return [{ field: fieldPath(issue.path), message: `unknown rule type; ${expected}` }];
    }
    return [{ field: fieldPath(issue.path), message: issue.message }];
  });
}
