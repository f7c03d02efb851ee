#!/usr/bin/env bash
# The performance figures, each next to its baseline measured in the same run (min / median / max over the runs,
# and the ratio of the medians): whole rollout / bare alembic upgrade, backup / bare pg_dump -Fc, rehearsal / the
# migration's own upgrade, stage boundary /
# one status write, idle resync / a LIST, /metrics with N resources / fixed meters, operator start -> /readyz,
# sandbox program start -> first phase. On the sandbox: Fabric8's mock API server, a throwaway PostgreSQL,
# the real kiki-migrate runner. Not a test: it asserts nothing and no test command runs it.
#
#   scripts/benchmark.sh [RUNS] [FIGURE,...]     (default 5 runs, every figure: rollout,backup,rehearsal,stages,resync,scrape,readyz,sandbox)
#
# Builds what it needs first (-DskipTests, Maven's output in benchmarks/target/build.log), then prints the figures.
# The same from Maven, with its log lines in between: mvn -B -pl benchmarks -am -DskipTests -Pbenchmark verify
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-5}
figures=${2:-}
mkdir -p "$repo/benchmarks/target"
build_log="$repo/benchmarks/target/build.log"
classpath_file="$repo/benchmarks/target/classpath.txt"
"$repo/scripts/install-deps.sh" >"$build_log" 2>&1 || { echo "benchmark: installing packages failed; see $build_log" >&2; exit 1; }
echo "benchmark: building (log: $build_log)" >&2
# One reactor build, so the classpath names this checkout's own jars, never ones installed in ~/.m2.
if ! mvn -B -f "$repo/pom.xml" -pl benchmarks -am -DskipTests package dependency:build-classpath \
     -Dmdep.outputFile="$classpath_file" >>"$build_log" 2>&1; then
  echo "benchmark: the build failed; the end of $build_log:" >&2
  tail -n 40 "$build_log" >&2
  exit 1
fi
exec java -Dkiki.e2e.repo="$repo" -Dbenchmark.runs="$runs" -Dbenchmark.figures="$figures" \
  -cp "$repo/benchmarks/target/classes:$(cat "$classpath_file")" io.kiki.migrations.benchmarks.BenchmarkMain
