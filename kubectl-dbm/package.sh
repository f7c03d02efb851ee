#!/usr/bin/env bash
# Builds dist/kubectl-dbm.tar.gz (reproducible: fixed owner, mode and time) and dist/plugin.yaml, the krew
# manifest with that archive's sha256.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dist=$here/dist
mkdir -p "$dist"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime='2026-01-01 00:00:00Z' \
  -C "$here" -czf "$dist/kubectl-dbm.tar.gz" kubectl-dbm README.md
sum=$(sha256sum "$dist/kubectl-dbm.tar.gz" | cut -d' ' -f1)
sed "s/SHA256_OF_THE_ARCHIVE/$sum/" "$here/plugin.yaml" >"$dist/plugin.yaml"
echo "$dist/kubectl-dbm.tar.gz sha256 $sum; manifest $dist/plugin.yaml"
