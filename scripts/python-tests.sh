#!/usr/bin/env bash
# Runs the migrations image's Python tests (the KIKI Alembic project's and the kiki-migrate runner's) once
# per Python stack of scripts/python-stacks.sh, then once each: the package tests (the wheel in clean
# virtual environments) and the image tests (the runner image and the examples/ images built with podman
# and run as uid 10001). Maven runs it in `mvn -B verify` (migrations-image/pom.xml); each stack's run is
# headed and timed in the output, and a summary line per stack ends it.
#
#   scripts/python-tests.sh [NAME]...   (default: every stack, then the package tests)
#   NAME is a stack of scripts/python-stacks.sh, `lint` (scripts/python-lint.sh), `package` or `images`.
# PostgreSQL: KIKI_TEST_POSTGRES_URL (scripts/test.sh sets it), else each pytest run starts its own.
set -uo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

names=("$@")
[ ${#names[@]} -gt 0 ] || names=(lint debian sqlalchemy20-psycopg2 sqlalchemy21-psycopg3 package images)

summary=()
failed=0
run() {
  local name=$1 python=$2 started seconds status
  shift 2
  echo "==== python-tests: $name ($python) ===="
  started=$(date +%s)
  (cd "$repo/migrations-image" && "$python" -m pytest -p no:cacheprovider -rs "$@")
  status=$?
  seconds=$(( $(date +%s) - started ))
  summary+=("$name: $([ $status -eq 0 ] && echo passed || echo FAILED) in ${seconds}s")
  [ $status -eq 0 ] || failed=1
}

for name in "${names[@]}"; do
  if [ "$name" = lint ]; then
    echo "==== python-tests: lint (ruff) ===="
    if scripts/python-lint.sh; then summary+=("lint: passed"); else summary+=("lint: FAILED"); failed=1; fi
    continue
  fi
  if [ "$name" = package ] || [ "$name" = images ]; then
    # Stack-independent: the wheel is built with Debian's setuptools and wheel and installed into venvs
    # (and images) of its own.
    run "$name" /usr/bin/python3 "tests/$name"
    continue
  fi
  line=$(scripts/python-stacks.sh "$name") || { summary+=("$name: cannot make the stack"); failed=1; continue; }
  run "$name" "${line#* }" tests --ignore=tests/package --ignore=tests/images
done

echo "==== python-tests: summary ===="
printf '%s\n' "${summary[@]}"
exit $failed
