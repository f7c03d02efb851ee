#!/usr/bin/env bash
# Makes the Python environments the runner's tests run on, and prints one line per stack:
#   NAME PYTHON
# where PYTHON is the interpreter to run pytest with. The stacks (migrations-image/README.md, "Supported
# versions"):
#   debian                 Debian 12's packages: Alembic 1.8, SQLAlchemy 1.4, psycopg2 (/usr/bin/python3)
#   sqlalchemy20-psycopg2  current Alembic on SQLAlchemy 2.0 with psycopg2
#   sqlalchemy21-psycopg3  current Alembic on SQLAlchemy 2.1 with psycopg 3
# and one that is no stack to test on: `lint`, ruff for scripts/python-lint.sh.
# The PyPI stacks are installed from migrations-image/stacks/NAME.txt (what kiki-migrate needs at run
# time) and stacks/pytest.txt (the test runner), both pinned with hashes (`pip install --require-hashes`),
# into virtual environments cached by the files' hash under ${XDG_CACHE_HOME:-~/.cache}/kiki-python-stacks;
# a warm run installs nothing.
#
#   scripts/python-stacks.sh [NAME]...   (default: all three)
set -euo pipefail
cd "$(dirname "$0")/.."

cache=${XDG_CACHE_HOME:-$HOME/.cache}/kiki-python-stacks
base_python=${KIKI_VENV_PYTHON:-python3}

stack_python() {
  local name=$1 requirements hash venv
  if [ "$name" = debian ]; then
    echo /usr/bin/python3
    return
  fi
  requirements=migrations-image/stacks/$name.txt
  [ -f "$requirements" ] || { echo "python-stacks: no stack '$name' (no $requirements)" >&2; exit 2; }
  hash=$(cat "$requirements" migrations-image/stacks/pytest.txt | sha256sum | cut -c1-16)
  venv=$cache/$name-$hash
  if [ ! -x "$venv/bin/python" ] || [ ! -f "$venv/.installed" ]; then
    echo "python-stacks: installing $name into $venv" >&2
    rm -rf "$venv"
    "$base_python" -m venv "$venv" >&2
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --require-hashes \
      -r "$requirements" -r migrations-image/stacks/pytest.txt >&2
    touch "$venv/.installed"
  fi
  echo "$venv/bin/python"
}

names=("$@")
[ ${#names[@]} -gt 0 ] || names=(debian sqlalchemy20-psycopg2 sqlalchemy21-psycopg3)
for name in "${names[@]}"; do
  echo "$name $(stack_python "$name")"
done
