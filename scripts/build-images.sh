#!/usr/bin/env bash
# Builds the project's two images with podman on a machine that can pull no image:
#   registry.example.com/kiki/migrations:1.6.0            from migrations-image/Dockerfile
#   registry.example.com/kiki/migrations-operator:0.1.0   from operator/Dockerfile
# The production bases stay the Dockerfiles' ARG defaults. Here they are replaced by bases with the same
# contract, made from a Debian bookworm root filesystem that debootstrap builds once and this script
# caches (see shared notes/images-without-a-registry.md):
#   localhost/kiki-base/debian:bookworm    the debootstrap minbase, imported
#   localhost/kiki-base/java17:bookworm    + openjdk-17-jre-headless, user 65532 (stands in for distroless)
#   localhost/kiki-base/maven:bookworm     + openjdk-17-jdk-headless and maven (stands in for maven:3-eclipse-temurin-17)
#
#   scripts/build-images.sh [migrations|operator|operator-jars]...   (default: migrations operator)
# operator builds the jar with Maven inside the image's build stage (the Dockerfile's default); operator-jars
# builds the same image from this checkout's jars, which `mvn package` of the operator module made
# (operator/target/kiki-migrations-operator-*.jar and operator/target/image-lib/): what the test command does.
# Both are cached by content (podman's layer cache: unchanged jars or project files, no new layers).
# Prints the built image names, one a line, on stdout. Cache: ${XDG_CACHE_HOME:-~/.cache}/kiki-images.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

export CONTAINERS_CONF="$repo/e2e/images/containers.conf"
podman=(podman --runtime runc)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/kiki-images
mkdir -p "$cache"

log() { echo "build-images: $*" >&2; }

debian_base=localhost/kiki-base/debian:bookworm
java_base=localhost/kiki-base/java17:bookworm
maven_base=localhost/kiki-base/maven:bookworm
migrations_image=registry.example.com/kiki/migrations:1.6.0
operator_image=registry.example.com/kiki/migrations-operator:0.1.0

ensure_debian_base() {
  "${podman[@]}" image exists "$debian_base" && return
  local tarball="$cache/debian-bookworm-minbase.tar"
  if [ ! -s "$tarball" ]; then
    local rootfs
    rootfs=$(mktemp -d "$cache/rootfs.XXXXXX")
    log "debootstrap of Debian bookworm (about a minute; log: $cache/debootstrap.log)"
    debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian > "$cache/debootstrap.log" 2>&1 \
      || { log "debootstrap failed, see $cache/debootstrap.log"; rm -rf "$rootfs"; exit 1; }
    tar -C "$rootfs" -cf "$tarball.tmp" .
    mv "$tarball.tmp" "$tarball"
    rm -rf "$rootfs"
  fi
  "${podman[@]}" import "$tarball" "$debian_base" >/dev/null
}

# A derived base, built when it is missing (its Containerfile changes rarely; delete the image to rebuild).
# Its build context also carries this machine's own CA certificates (extra-ca/), which the Maven stand-in
# needs where egress goes through a TLS-inspecting proxy.
ensure_derived_base() {
  local image=$1 containerfile=$2 context
  "${podman[@]}" image exists "$image" && return
  log "building $image"
  context=$(mktemp -d)
  mkdir "$context/extra-ca"
  cp /usr/local/share/ca-certificates/*.crt "$context/extra-ca/" 2>/dev/null || true
  "${podman[@]}" build --pull=never --network host --build-arg "BASE_IMAGE=$debian_base" \
    -f "$containerfile" -t "$image" "$context" >&2
  rm -rf "$context"
}

build_migrations() {
  log "building $migrations_image"
  # pip in the build stage trusts this machine's CA bundle (it holds a TLS-inspecting proxy's CA, if any).
  "${podman[@]}" build --pull=never --network host --build-arg "BASE_IMAGE=$debian_base" \
    --volume /etc/ssl/certs/ca-certificates.crt:/run/kiki-build-ca.crt:ro --build-arg PIP_CERT=/run/kiki-build-ca.crt \
    -t "$migrations_image" migrations-image >&2
  echo "$migrations_image"
}

build_operator() {
  ensure_derived_base "$java_base" e2e/images/java17-runtime.Containerfile
  ensure_derived_base "$maven_base" e2e/images/maven-build.Containerfile
  log "building $operator_image"
  "${podman[@]}" build --pull=never --network host \
    --build-arg "BUILD_IMAGE=$maven_base" --build-arg "RUNTIME_IMAGE=$java_base" \
    -f operator/Dockerfile -t "$operator_image" . >&2
  echo "$operator_image"
}

build_operator_from_jars() {
  ensure_derived_base "$java_base" e2e/images/java17-runtime.Containerfile
  local jar context
  jar=$(find operator/target -maxdepth 1 -name 'kiki-migrations-operator-*.jar' \
        ! -name '*-tests.jar' ! -name '*-sources.jar' ! -name '*-javadoc.jar')
  if [ "$(echo "$jar" | wc -w)" -ne 1 ] || [ ! -d operator/target/image-lib ]; then
    log "no operator jar in operator/target (or no operator/target/image-lib): run 'mvn -B -pl operator -am package' first"
    exit 1
  fi
  log "building $operator_image from $jar"
  context=$(mktemp -d)
  mkdir -p "$context/prebuilt/lib"
  cp "$jar" "$context/prebuilt/kiki-migrations-operator.jar"
  cp operator/target/image-lib/*.jar "$context/prebuilt/lib/"
  # the timestamps of the copies must not defeat the layer cache: it keys on content
  "${podman[@]}" build --pull=never --network host --build-arg "BUILD_IMAGE=$debian_base" \
    --build-arg "RUNTIME_IMAGE=$java_base" -f operator/Dockerfile -t "$operator_image" "$context" >&2
  rm -rf "$context"
  echo "$operator_image"
}

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(migrations operator)
ensure_debian_base
for target in "${targets[@]}"; do
  case "$target" in
    migrations) build_migrations ;;
    operator) build_operator ;;
    operator-jars) build_operator_from_jars ;;
    *) echo "usage: scripts/build-images.sh [migrations|operator|operator-jars]..." >&2; exit 2 ;;
  esac
done
