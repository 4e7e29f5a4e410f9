// Before the tests: every Python virtualenv they use (packages/testing/src/python-tools.ts), so that the first run of
// a fresh clone spends its minutes here, logged, and not inside a test's time budget. A second run costs nothing.
import { ensurePythonTool, pythonToolNames } from '@cabc/testing/python';

const log = (line: string) => process.stderr.write(`cabc: python: ${line}\n`);
let failed = false;
for (const name of pythonToolNames) {
  const started = Date.now();
  try {
    await ensurePythonTool(name, log);
    const seconds = (Date.now() - started) / 1000;
    if (seconds > 1) log(`${name} ready in ${seconds.toFixed(0)} s`);
  } catch (error) {
    failed = true;
    log(`${name}: ${error instanceof Error ? error.message : String(error)} (the tests that use it will fail)`);
  }
}
process.exitCode = failed ? 1 : 0;
