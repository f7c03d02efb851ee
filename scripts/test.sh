#!/usr/bin/env bash
# Runs every test of the project: Java (unit, mock-API integration, sandbox end to end) and Python
# (the KIKI Alembic project and the kiki-migrate runner), against a throwaway PostgreSQL server that
# lives only for this run. Installs the Debian packages it needs first.
#
#   scripts/test.sh [extra Maven arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

pg_dir=$(mktemp -d -t kiki-test-pg.XXXXXX)
chmod 755 "$pg_dir"
cleanup() {
  scripts/postgres.sh stop "$pg_dir" || true
  rm -rf "$pg_dir"
}
trap cleanup EXIT
eval "$(scripts/postgres.sh start "$pg_dir")"
export KIKI_TEST_POSTGRES_URL

mvn -B verify "$@"
