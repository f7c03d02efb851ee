#!/usr/bin/env bash
# Lints and format-checks every Python file of the repository with ruff (configured in
# migrations-image/pyproject.toml, pinned in migrations-image/stacks/lint.txt, installed by
# scripts/python-stacks.sh into its cache).
#
#   scripts/python-lint.sh          check only: exits non-zero and lists what is wrong
#   scripts/python-lint.sh --fix    rewrite: format, sort imports, apply ruff's safe fixes
set -euo pipefail
cd "$(dirname "$0")/.."

line=$(scripts/python-stacks.sh lint)
ruff="$(dirname "${line#* }")/ruff"
config=migrations-image/pyproject.toml
paths=(migrations-image e2e)

if [ "${1:-}" = --fix ]; then
  "$ruff" check --config "$config" --fix "${paths[@]}"
  "$ruff" format --config "$config" "${paths[@]}"
else
  "$ruff" check --config "$config" "${paths[@]}"
  "$ruff" format --config "$config" --check "${paths[@]}"
fi
