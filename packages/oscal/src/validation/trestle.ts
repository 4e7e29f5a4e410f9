import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';

/** The pinned compliance-trestle of the second validator (validators/requirements.txt; docs/oscal.md). */
export const TRESTLE_VERSION = '3.7.0';

const packageRoot = path.resolve(import.meta.dirname, '..', '..');
const repositoryRoot = path.resolve(packageRoot, '..', '..');
const requirements = path.join(packageRoot, 'validators', 'requirements.txt');
const checker = path.join(packageRoot, 'validators', 'trestle_check.py');

/**
 * The Python of the virtualenv with compliance-trestle, made by scripts/lib/python-venv.sh (the test command makes it
 * before the tests; a test run alone makes it here, once, and reuses it after).
 */
export function trestlePython(): string {
  const output = execFileSync(
    'bash',
    [
      '-c',
      'source "$0/scripts/lib/python-venv.sh" && cabc_python_venv oscal-validators "$1"',
      repositoryRoot,
      requirements,
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 900_000 },
  );
  return output.trim().split('\n').at(-1)!;
}

export interface TrestleReport {
  exitCode: number;
  documents: { file: string; model: string; loaded: boolean }[];
  trestle: { command: string; exit: number; output?: string }[];
  problems: string[];
  checked: string[];
}

/** Loads every document of the bundle zip with trestle, imports them into a trestle workspace and checks references. */
export function validateWithTrestle(zipPath: string): TrestleReport {
  const python = trestlePython();
  const done = spawnSync(python, [checker, zipPath], {
    encoding: 'utf8',
    timeout: 600_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (done.error) throw done.error;
  let parsed: Omit<TrestleReport, 'exitCode'>;
  try {
    parsed = JSON.parse(done.stdout) as Omit<TrestleReport, 'exitCode'>;
  } catch {
    throw new Error(`the trestle check printed no report (exit ${done.status}): ${done.stderr.slice(-4000)}`);
  }
  return { exitCode: done.status ?? 1, ...parsed };
}

export function installedTrestleVersion(): string {
  return execFileSync(trestlePython(), ['-c', 'import trestle; print(trestle.__version__)'], {
    encoding: 'utf8',
  }).trim();
}
