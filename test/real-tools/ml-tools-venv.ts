import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ensurePythonVenv, type PythonVenv } from '../../scripts/lib/python-venv.ts';

const here = import.meta.dirname;

/** The pinned specifiers of requirements.txt (comments and blank lines left out). */
export function mlToolsRequirements(): string[] {
  return readFileSync(path.join(here, 'requirements.txt'), 'utf8')
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter((line) => line.length > 0);
}

/** `.tools/venv-ml-tools`: mlflow, evidently, great_expectations and scikit-learn at the versions the test pins. */
export function ensureMlToolsVenv(log?: (line: string) => void): Promise<PythonVenv> {
  return ensurePythonVenv({
    name: 'ml-tools',
    requirements: mlToolsRequirements(),
    constraints: path.relative(path.resolve(here, '../..'), path.join(here, 'constraints.txt')),
    // mlflow 3 supports Python 3.10 and newer.
    minimumPython: [3, 10],
    ...(log ? { log } : {}),
  });
}
