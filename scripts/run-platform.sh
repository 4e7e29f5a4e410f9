#!/usr/bin/env bash
# Run the platform: the three services and their workers, migrations applied.
# Needs only Node (20+) and npm; installs Node 24, pnpm and dependencies under .tools/ and node_modules/,
# and finds or starts Postgres and Redis (see docs/operations.md). `--reset-local-data` drops this checkout's data.
source "$(dirname "${BASH_SOURCE[0]}")/lib/bootstrap.sh"
cabc_bootstrap
cd "$CABC_ROOT"
exec node scripts/platform.ts "$@"
