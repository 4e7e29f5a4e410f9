#!/usr/bin/env bash
# Run the platform: the three services and their workers, migrations applied.
# Needs only Node (20+) and npm; installs Node 24, pnpm and dependencies under .tools/ and node_modules/,
# and starts an embedded Postgres when none is configured (DATABASE_URL) or listening on 127.0.0.1:5432.
# Redis must be reachable (REDIS_URL, default redis://127.0.0.1:6379); the script says how to start one if not.
source "$(dirname "${BASH_SOURCE[0]}")/lib/bootstrap.sh"
cabc_bootstrap
cd "$CABC_ROOT"
exec node scripts/platform.ts "$@"
