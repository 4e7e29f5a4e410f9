import { ensurePythonTool, type PythonVenv } from '@cabc/testing/python';

/** `.tools/venv-ml-tools`: mlflow, evidently, great_expectations and scikit-learn at the versions the test pins. */
export function ensureMlToolsVenv(log?: (line: string) => void): Promise<PythonVenv> {
  return ensurePythonTool('ml-tools', log);
}
