// Moved to @cabc/testing; kept only for services/assessment/test/ledger.test.ts (work in progress), which imports it here.
export { expectProblem, type ProblemBody } from '@cabc/testing';
