#!/usr/bin/env bash
# Installs the Debian packages the build and tests need, when any is missing.
# Idempotent and quiet when everything is there already.
set -euo pipefail

packages=(
  postgresql postgresql-client postgresql-contrib
  python3 python3-alembic alembic python3-sqlalchemy python3-psycopg2 python3-pytest python3-pglast
  lua5.4 lua5.1 prometheus
  maven openjdk-17-jdk-headless
  podman runc debootstrap
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -o Acquire::Retries=3 >&2
"${sudo_cmd[@]}" apt-get install -y --no-install-recommends -o Acquire::Retries=3 "${missing[@]}" >&2
