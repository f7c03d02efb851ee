#!/usr/bin/env bash
# Runs every test of the project: Java (unit, mock-API integration, end to end on the local control
# plane) and Python (the KIKI Alembic project and the kiki-migrate runner), against a throwaway PostgreSQL
# server that lives only for this run. Installs the Debian packages it needs first, and builds the local
# control plane's binaries once per machine (scripts/build-control-plane.sh; about 13 min cold on 2 cores, cached after).
# The e2e module's container-mode execution builds both images first (scripts/build-images.sh migrations
# operator-jars: the operator image from the jar this run packaged; cached by content) and runs its scenarios
# from them with podman and runc (e2e/README.md, "Container mode").
#
#   scripts/test.sh [extra Maven arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
KIKI_CONTROL_PLANE_DIR=$(scripts/build-control-plane.sh)
export KIKI_CONTROL_PLANE_DIR
# Its kubectl (1.34.4, with kustomize) first on PATH: the manifests tests and the e2e install use it.
export PATH="$KIKI_CONTROL_PLANE_DIR:$PATH"

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
