#!/usr/bin/env bash
# The sandbox: a throwaway Kubernetes-like cluster on this machine (Fabric8's mock API server, the operator
# in-process, a local kubelet that runs each Job's kiki-migrate as a local process, a throwaway PostgreSQL),
# printing each rollout's phases as they happen. No Docker, no cluster.
#
#   scripts/sandbox.sh                         the KIKI sample (kiki/kiki-campaigns -> head), until Ctrl-C
#   scripts/sandbox.sh --apply FILE... [--image NAME=DIR]... [--until-settled] [--timeout 10m]
#   scripts/sandbox.sh --cluster local ...     the same on a real control plane (etcd, kube-apiserver,
#                                              kube-controller-manager 1.34); prints a kubeconfig for kubectl
#   scripts/sandbox.sh --help
#
# Builds what it needs first (Maven output goes to sandbox-work/build.log). Paths in arguments are relative
# to the current directory.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work="$repo/sandbox-work"
mkdir -p "$work"
build_log="$work/build.log"
classpath_file="$work/classpath.txt"

"$repo/scripts/install-deps.sh" >>"$build_log" 2>&1 || { echo "sandbox: installing packages failed; see $build_log" >&2; exit 1; }

echo "sandbox: building (log: $build_log)" >&2
# One reactor build, so the classpath names this checkout's own jars (operator/target, crds/target), never
# ones installed in ~/.m2, which another checkout's build could replace under a running sandbox.
if ! mvn -B -f "$repo/pom.xml" -pl e2e -am -DskipTests package dependency:build-classpath \
     -Dmdep.outputFile="$classpath_file" >>"$build_log" 2>&1; then
  echo "sandbox: the build failed; the end of $build_log:" >&2
  tail -n 40 "$build_log" >&2
  exit 1
fi

# A program that starts many classes once and then mostly waits: the client compiler only and the serial collector
# start it sooner on a small machine than the server compiler's background compilation does (benchmarks/ measures it).
java_options="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
# shellcheck disable=SC2086
exec java $java_options -Dkiki.e2e.repo="$repo" -cp "$repo/e2e/target/classes:$(cat "$classpath_file")" \
  io.kiki.migrations.e2e.sandbox.SandboxMain "$@"
