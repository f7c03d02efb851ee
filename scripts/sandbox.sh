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
# Builds what it needs first (Maven output goes to sandbox-work/build.log); --help builds nothing. Paths in
# arguments are relative to the current directory.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
# --help before anything is built or written: the program's usage, from the file it prints it from.
for arg in "$@"; do
  case $arg in
    --help | -h) cat "$repo/e2e/src/main/resources/sandbox/usage.txt"; exit 0 ;;
  esac
done
work="$repo/sandbox-work"
mkdir -p "$work"
build_log="$work/build.log"
classpath_file="$work/classpath.txt"

"$repo/scripts/install-deps.sh" >>"$build_log" 2>&1 || { echo "sandbox: installing packages failed; see $build_log" >&2; exit 1; }

if [ "${KIKI_SANDBOX_BUILD:-1}" = 0 ] && [ -s "$classpath_file" ]; then
  # KIKI_SANDBOX_BUILD=0: the last build's jars as they are (benchmarks/ measures the program's start this way).
  echo "sandbox: using the last build (KIKI_SANDBOX_BUILD=0)" >&2
else
  echo "sandbox: building (log: $build_log)" >&2
  # One reactor build, so the classpath names this checkout's own jars (operator/target, crds/target), never
  # ones installed in ~/.m2, which another checkout's build could replace under a running sandbox.
  if ! mvn -B -f "$repo/pom.xml" -pl e2e -am -DskipTests package dependency:build-classpath \
       -Dmdep.outputFile="$classpath_file" >>"$build_log" 2>&1; then
    echo "sandbox: the build failed; the end of $build_log:" >&2
    tail -n 40 "$build_log" >&2
    exit 1
  fi
fi

# A program that starts many classes once and then mostly waits: the client compiler only and the serial collector
# start it sooner on a small machine than the server compiler's background compilation does (benchmarks/ measures it).
java_options="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
# The e2e module as its jar, not target/classes: class data sharing archives only classes from jars.
jar=$(ls "$repo"/e2e/target/kiki-migrations-e2e-*.jar | grep -v -e '-tests\.jar$' -e '-sources\.jar$' | head -n 1)
classpath="$jar:$(cat "$classpath_file")"

# AppCDS: the first run of a build archives the classes it loaded (at exit, into ~/.cache); later runs of the same
# build map that archive instead of loading and verifying the classes again (the API server, CRDs, kubelet and
# operator up in about half the time). The archive is keyed by the JVM and by every jar's path, size and
# modification time, so changed code or another JDK gets a new archive instead of a mismatch; it is written
# under a temporary name and renamed once complete. KIKI_SANDBOX_CDS=0 turns this off. JVM warnings go to
# stderr (stdout is the program's: --until-settled prints JSON there); CDS's own (classes it could not
# archive, an archive it cannot use) are off. The first run's exit takes longer (the archive is written then),
# and until it ends, a SIGTERM to this script waits for the program instead of reaching it.
cds_options=()
archive_tmp=""
if [ "${KIKI_SANDBOX_CDS:-1}" != 0 ]; then
  cds_dir=${XDG_CACHE_HOME:-$HOME/.cache}/kiki-sandbox-cds
  # Maven writes this project's jars anew at every build, and the JVM refuses an archive whose jars have another
  # size or modification time: the run uses copies of them named by their content, which keep their time.
  own_jars=$(tr ':' '\n' <<<"$classpath" | grep "^$repo/")
  own_key=$(xargs -d '\n' sha256sum <<<"$own_jars" | cut -d' ' -f1 | sha256sum | cut -c1-16)
  jars_dir="$cds_dir/jars-$own_key"
  if [ ! -d "$jars_dir" ] && mkdir -p "$cds_dir" 2>/dev/null; then
    copying=$(mktemp -d "$cds_dir/.jars.XXXXXX")
    while IFS= read -r own; do cp "$own" "$copying/"; done <<<"$own_jars"
    mv -T "$copying" "$jars_dir" 2>/dev/null || rm -rf "$copying"
  fi
  if [ -d "$jars_dir" ]; then
    cached=""
    while IFS= read -r entry; do
      case $entry in "$repo"/*) entry="$jars_dir/$(basename "$entry")" ;; esac
      cached="${cached:+$cached:}$entry"
    done < <(tr ':' '\n' <<<"$classpath")
    classpath=$cached
    java_bin=$(readlink -f "$(command -v java)")
    key=$( { stat -c '%n %s %Y' "$java_bin" "${java_bin%/bin/java}"/lib/modules 2>/dev/null
             tr ':' '\n' <<<"$classpath" | xargs -d '\n' stat -c '%n %s %Y'; } | sha256sum | cut -c1-16)
    archive="$cds_dir/sandbox-$key.jsa"
    cds_options=(-Xlog:disable "-Xlog:all=warning,cds*=off,class+path*=off:stderr")
    if [ -s "$archive" ]; then
      cds_options+=("-XX:SharedArchiveFile=$archive")
    else
      archive_tmp="$archive.$$.tmp"
      cds_options+=("-XX:ArchiveClassesAtExit=$archive_tmp")
    fi
  fi
fi

if [ -z "$archive_tmp" ]; then
  exec java $java_options "${cds_options[@]}" -Dkiki.e2e.repo="$repo" -cp "$classpath" \
    io.kiki.migrations.e2e.sandbox.SandboxMain "$@"
fi
# The first run: wait for the JVM (Ctrl-C reaches it, and this shell goes on) to rename its archive.
trap ':' INT TERM
status=0
java $java_options "${cds_options[@]}" -Dkiki.e2e.repo="$repo" -cp "$classpath" \
  io.kiki.migrations.e2e.sandbox.SandboxMain "$@" || status=$?
if [ -s "$archive_tmp" ]; then
  mv -f "$archive_tmp" "$archive"
else
  rm -f "$archive_tmp"
fi
exit "$status"
