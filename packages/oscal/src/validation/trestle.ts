import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { ensurePythonTool } from '@cabc/testing/python';

/** The pinned compliance-trestle of the second validator (validators/requirements.txt; docs/oscal.md). */
export const TRESTLE_VERSION = '3.7.0';

const packageRoot = path.resolve(import.meta.dirname, '..', '..');
const checker = path.join(packageRoot, 'validators', 'trestle_check.py');

/** The Python of the virtualenv with compliance-trestle (made before the tests, or here once when run alone). */
export async function trestlePython(): Promise<string> {
  return (await ensurePythonTool('oscal-validators')).python;
}

export interface TrestleReport {
  exitCode: number;
  documents: { file: string; model: string; loaded: boolean }[];
  trestle: { command: string; exit: number; output?: string }[];
  problems: string[];
  checked: string[];
}

/** Loads every document of the bundle zip with trestle, imports them into a trestle workspace and checks references. */
export async function validateWithTrestle(zipPath: string): Promise<TrestleReport> {
  const python = await trestlePython();
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

export async function installedTrestleVersion(): Promise<string> {
  return execFileSync(await trestlePython(), ['-c', 'import trestle; print(trestle.__version__)'], {
    encoding: 'utf8',
  }).trim();
}
