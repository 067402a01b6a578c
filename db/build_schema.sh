#!/usr/bin/env bash
# Rewrites db/schema.sql from the migrations, in order (run after adding a migration; a test checks they agree).
set -euo pipefail
cd "$(dirname "$0")"
{
  echo "-- The whole current schema: what every migration in db/migrations/ produces, applied in order."
  echo "-- Regenerate with db/build_schema.sh; tests/foundation checks that the two agree."
  for f in migrations/[0-9][0-9][0-9][0-9]_*.sql; do echo; cat "$f"; done
} > schema.sql
