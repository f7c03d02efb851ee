#!/usr/bin/env bash
# Builds the two "bring your own Alembic project" example images (migrations-image/examples/) with podman,
# ready for a DatabaseMigration's spec.image:
#   registry.example.com/kiki-examples/inventory-migrations:1.0.0   FROM the runner image, another project
#   registry.example.com/kiki-examples/orders-app:1.0.0             an application image, kiki-migrate pip-installed
# The runner image comes from scripts/build-images.sh migrations (built or reused first). The application
# image's build context gets the kiki-migrate wheel (built here with Debian's setuptools and wheel) and
# its pinned requirements (migrations-image/stacks/sqlalchemy20-psycopg2.txt: Alembic 1.20, SQLAlchemy 2.0,
# psycopg2, another stack than the runner image's). Prints the image names, one a line, on stdout.
#
#   scripts/build-example-images.sh
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

export CONTAINERS_CONF="$repo/e2e/images/containers.conf"
podman=(podman --runtime runc)
debian_base=localhost/kiki-base/debian:bookworm
inventory_image=registry.example.com/kiki-examples/inventory-migrations:1.0.0
orders_image=registry.example.com/kiki-examples/orders-app:1.0.0
# pip in the builds trusts this machine's CA bundle (it holds a TLS-inspecting proxy's CA, if any).
build=("${podman[@]}" build --pull=never --network host --build-arg "BASE_IMAGE=$debian_base"
       --volume /etc/ssl/certs/ca-certificates.crt:/run/kiki-build-ca.crt:ro --build-arg PIP_CERT=/run/kiki-build-ca.crt)

log() { echo "build-example-images: $*" >&2; }

runner_image=$(scripts/build-images.sh migrations | tail -n 1)

log "building $inventory_image"
"${build[@]}" --build-arg "RUNNER_IMAGE=$runner_image" -t "$inventory_image" \
  migrations-image/examples/extend-runner-image >&2
echo "$inventory_image"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/source" "$work/context"
cp migrations-image/pyproject.toml migrations-image/README.md "$work/source/"
cp -r migrations-image/kiki_migrate "$work/source/"
find "$work/source" -name __pycache__ -prune -exec rm -rf {} +
cp -r migrations-image/examples/application-image/. "$work/context/"
find "$work/context" -name __pycache__ -prune -exec rm -rf {} +
cp migrations-image/stacks/sqlalchemy20-psycopg2.txt "$work/context/requirements.txt"
# A fixed date in the wheel (zip entry times): the same sources give the same wheel, so podman's layer cache
# (keyed on content) reuses the image instead of rebuilding it on every run.
SOURCE_DATE_EPOCH=315532800 /usr/bin/python3 -m pip wheel --quiet --disable-pip-version-check --no-deps --no-build-isolation --no-index \
  -w "$work/context/wheels" "$work/source" >&2

log "building $orders_image"
"${build[@]}" -t "$orders_image" "$work/context" >&2
echo "$orders_image"
