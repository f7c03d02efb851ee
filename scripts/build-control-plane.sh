#!/usr/bin/env bash
# Builds the local control plane's binaries from their Go modules and caches them by version:
#   kube-apiserver, kube-controller-manager, kubectl  (k8s.io/kubernetes, e2e/control-plane/kubernetes)
#   etcd                                              (go.etcd.io/etcd/server/v3, e2e/control-plane/etcd)
# Why wrapper modules: k8s.io/kubernetes requires its staging modules at v0.0.0 and only its own replace
# lines make that resolve; a main module that replaces each with the published k8s.io/<m> v0.34.z builds
# the cmd/ packages (see shared notes/real-control-plane.md, section 1).
#
# Prints the directory holding the binaries on stdout (everything else goes to stderr). A warm run, where
# the directory's stamp matches the versions and the wrappers' go.sum, builds nothing and takes well under
# a second. Cache root: $KIKI_CONTROL_PLANE_CACHE, else ${XDG_CACHE_HOME:-~/.cache}/kiki-control-plane.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
wrappers="$here/e2e/control-plane"
kubernetes_version=$(awk '$1 == "k8s.io/kubernetes" {print $2; exit}' "$wrappers/kubernetes/go.mod")
etcd_version=$(awk '$1 == "go.etcd.io/etcd/server/v3" {print $2; exit}' "$wrappers/etcd/go.mod")
[ -n "$kubernetes_version" ] && [ -n "$etcd_version" ] || {
  echo "build-control-plane: cannot read the k8s.io/kubernetes or etcd version from $wrappers/*/go.mod" >&2; exit 2; }

cache_root=${KIKI_CONTROL_PLANE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kiki-control-plane}
out="$cache_root/kubernetes-$kubernetes_version-etcd-$etcd_version"
# The stamp covers what the binaries are built from (the wrappers' go.sum, so every module version) and the
# build recipe below; bump recipe when the flags or the set of binaries change.
recipe=1
stamp_want="$(cat "$wrappers/kubernetes/go.sum" "$wrappers/etcd/go.sum" | sha256sum | cut -d' ' -f1) recipe $recipe"
binaries=(etcd kube-apiserver kube-controller-manager kubectl)

is_warm() {
  [ "$(cat "$out/.stamp" 2>/dev/null)" = "$stamp_want" ] || return 1
  local b
  for b in "${binaries[@]}"; do [ -x "$out/$b" ] || return 1; done
}
if is_warm; then echo "$out"; exit 0; fi

# One build at a time per cache (two checkouts, or a test run and the sandbox, may ask at once): wait for the
# lock, then look again, since the other may just have built the same binaries.
mkdir -p "$cache_root"
exec 9>"$cache_root/.build.lock"
if ! flock -n 9; then
  echo "build-control-plane: another build of the control plane runs; waiting for it" >&2
  flock 9
fi
if is_warm; then echo "$out"; exit 0; fi

command -v go >/dev/null || { echo "build-control-plane: Go is needed (go1.24 or newer on PATH)" >&2; exit 2; }
mkdir -p "$out"
rm -f "$out/.stamp"
start=$(date +%s)
echo "build-control-plane: cold build of Kubernetes $kubernetes_version and etcd $etcd_version into $out (about 13 min on 2 cores, measured; allow 30)" >&2

minor=$(echo "$kubernetes_version" | cut -d. -f2)
build_date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
# Version info at link time, so /version and `kubectl version` say v1.34.z (kcp's Makefile sets the same).
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$kubernetes_version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  ldflags+=" -X $pkg.gitCommit=kiki-wrapper -X $pkg.gitTreeState=clean -X $pkg.buildDate=$build_date"
done
(
  cd "$wrappers/kubernetes"
  export CGO_ENABLED=0 GOFLAGS=-mod=mod
  for cmd in kube-apiserver kube-controller-manager kubectl; do
    echo "build-control-plane: building $cmd" >&2
    # One binary at a time: linking takes about 2 GiB each.
    go build -trimpath -ldflags "$ldflags" -o "$out/$cmd.tmp" "k8s.io/kubernetes/cmd/$cmd" >&2
    mv "$out/$cmd.tmp" "$out/$cmd"
  done
)
(
  cd "$wrappers/etcd"
  export CGO_ENABLED=0 GOFLAGS=-mod=mod
  echo "build-control-plane: building etcd" >&2
  go build -trimpath -ldflags "-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=$etcd_version" \
    -o "$out/etcd.tmp" go.etcd.io/etcd/server/v3 >&2
  mv "$out/etcd.tmp" "$out/etcd"
)
echo "$stamp_want" > "$out/.stamp"
echo "build-control-plane: built in $(( $(date +%s) - start )) s" >&2
echo "$out"
