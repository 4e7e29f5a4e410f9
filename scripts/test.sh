#!/usr/bin/env bash
# Run the tests: typecheck (tsc -b) and the whole vitest suite against real Postgres and Redis (and compliance-trestle).
# Same bootstrap as the run command; Postgres and Redis are found or started for the run (docs/operations.md).
source "$(dirname "${BASH_SOURCE[0]}")/lib/bootstrap.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib/python-venv.sh"
cabc_bootstrap
cd "$CABC_ROOT"
# The OSCAL bundle's second validator, IBM's compliance-trestle, in its pinned virtualenv (docs/oscal.md).
cabc_python_venv oscal-validators packages/oscal/validators/requirements.txt >/dev/null ||
  echo "cabc: no virtualenv with compliance-trestle: the OSCAL validator tests will fail" >&2
mkdir -p test-artifacts
status=0
node scripts/with-infrastructure.ts pnpm test --reporter=default --reporter=json --outputFile.json=test-artifacts/vitest.json || status=$?
# One plain closing line, whatever the reporter printed above it.
node -e '
  const fs = require("node:fs");
  const file = "test-artifacts/vitest.json";
  if (!fs.existsSync(file)) { console.log("tests: 0 passed, 1 failed"); process.exit(0); }
  const r = JSON.parse(fs.readFileSync(file, "utf8"));
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
'
exit $status
