#!/usr/bin/env bash
# Run the tests: typecheck (tsc -b) and the whole vitest suite against real Postgres and Redis (and compliance-trestle).
# Same bootstrap as the run command; Postgres and Redis are found or started for the run (docs/operations.md).
source "$(dirname "${BASH_SOURCE[0]}")/lib/bootstrap.sh"
cabc_bootstrap
cd "$CABC_ROOT"
# The Python tools of the tests (SDK checkers, real ML tools, compliance-trestle), in pinned virtualenvs.
node scripts/prepare-python-tools.ts || true
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
