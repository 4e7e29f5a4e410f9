import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ensurePythonVenv, type PythonVenv, type PythonVenvOptions } from './python-venv.ts';

const repositoryRoot = path.resolve(import.meta.dirname, '../../..');

/** The pinned specifiers of a requirements file (comments and blank lines left out). */
function requirementsIn(file: string): string[] {
  return readFileSync(path.join(repositoryRoot, file), 'utf8')
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter((line) => line.length > 0);
}

/**
 * Every Python virtualenv the tests use, in one place: the test command makes them all before the tests run
 * (scripts/prepare-python-tools.ts), and a test run alone makes the one it needs. Versions are pinned, so that a new
 * release of a tool cannot turn the suite red on its own.
 */
const tools = {
  /** The SDK (clients/python) and the checkers its tests run. */
  sdk: () => ({ requirements: ['clients/python', 'pytest==9.2.0', 'mypy==2.4.1', 'ruff==0.17.6'] }),
  /**
   * mlflow, evidently, great_expectations and scikit-learn for the real-tools test (mlflow 3 needs Python 3.10), and
   * the SDK (clients/python) through which its pipeline delivers the tools' results.
   */
  'ml-tools': () => ({
    requirements: [...requirementsIn('test/real-tools/requirements.txt'), 'clients/python'],
    constraints: 'test/real-tools/constraints.txt',
    minimumPython: [3, 10] as [number, number],
  }),
  /** IBM's compliance-trestle, the OSCAL bundle's second validator (docs/oscal.md), every dependency pinned. */
  'oscal-validators': () => ({
    requirements: ['compliance-trestle==3.7.0'],
    constraints: 'packages/oscal/validators/requirements.txt',
  }),
  /** schemathesis, the OpenAPI fuzzer the fuzz suite runs against each service's document (test/fuzz). */
  schemathesis: () => ({ requirements: ['schemathesis==4.32.5'] }),
} satisfies Record<string, () => Omit<PythonVenvOptions, 'name'>>;

export type PythonToolName = keyof typeof tools;
export const pythonToolNames = Object.keys(tools) as PythonToolName[];

export function ensurePythonTool(name: PythonToolName, log?: (line: string) => void): Promise<PythonVenv> {
  return ensurePythonVenv({ name, ...tools[name](), ...(log ? { log } : {}) });
}

export { ensurePythonVenv, type PythonVenv, type PythonVenvOptions } from './python-venv.ts';
