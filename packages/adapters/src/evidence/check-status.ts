import type { CheckStatus } from './items.ts';

const statusByWord = new Map<string, CheckStatus>([
  ['success', 'pass'],
  ['pass', 'pass'],
  ['passed', 'pass'],
  ['ok', 'pass'],
  ['✓', 'pass'],
  ['✔', 'pass'],
  ['warn', 'warn'],
  ['warning', 'warn'],
  ['!', 'warn'],
  ['⚠', 'warn'],
  ['fail', 'fail'],
  ['failed', 'fail'],
  ['failure', 'fail'],
  ['✖', 'fail'],
  ['✗', 'fail'],
  ['error', 'error'],
]);

/**
 * Maps a tool's status word (Evidently SUCCESS/FAIL/WARNING/ERROR, deepchecks PASS/WARN/FAIL or Passed/Warning/
 * Failed or icons) to a check status. SKIPPED and anything unknown become `error`: a check that did not run did
 * not pass.
 */
export function checkStatusFromWord(word: unknown): CheckStatus {
  if (typeof word !== 'string') return 'error';
  return statusByWord.get(word.trim().toLowerCase()) ?? 'error';
}
