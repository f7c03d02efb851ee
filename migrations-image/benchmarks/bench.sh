#!/usr/bin/env bash
# kiki-migrate benchmark (not a test): on a throwaway PostgreSQL of its own, times `upgrade` base->head of
# the KIKI project, loads ROWS campaign_deployments (with the users and campaigns their foreign keys
# need), then times `backup` and `restore` and prints the dump size.
#
#   migrations-image/benchmarks/bench.sh [ROWS]      (default 100000)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
image_dir=$(dirname "$here")
repo_dir=$(dirname "$image_dir")
rows=${1:-100000}
runner="$image_dir/bin/kiki-migrate"

work=$(mktemp -d -t kiki-bench.XXXXXX)
chmod 755 "$work"
cleanup() {
  "$repo_dir/scripts/postgres.sh" stop "$work/pg" || true
  rm -rf "$work"
}
trap cleanup EXIT
eval "$("$repo_dir/scripts/postgres.sh" start "$work/pg")"
admin_url=$KIKI_TEST_POSTGRES_URL
export KIKI_DATABASE_URL="${admin_url%/postgres}/kiki_bench"
export ALEMBIC_CONFIG="$image_dir/alembic.ini"
export KIKI_RESULT_FILE="$work/result.json"

sql() { /usr/bin/python3 - "$1" "$2" <<'PY'
import sys, sqlalchemy as sa
engine = sa.create_engine(sys.argv[1], isolation_level="AUTOCOMMIT")
with engine.connect() as conn:
    result = conn.execute(sa.text(sys.argv[2]))
    if result.returns_rows:
        print(result.scalar())
PY
}

# wall time in ms of one kiki-migrate run; fails loudly if the run fails
timed() {
  local start end
  start=$(date +%s%N)
  "$runner" "$@" >"$work/out.log" 2>"$work/err.log" || { cat "$work/err.log" "$work/out.log" >&2; exit 1; }
  end=$(date +%s%N)
  echo $(( (end - start) / 1000000 ))
}
field() { /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$KIKI_RESULT_FILE" "$1"; }

sql "$admin_url" "CREATE DATABASE kiki_bench"

upgrade_ms=$(timed upgrade --target head)
steps=$(field appliedCount)
startup_ms=$(timed current)

load_start=$(date +%s%N)
users=$(( rows / 10 > 0 ? rows / 10 : 1 ))
campaigns=$(( rows / 4 > 0 ? rows / 4 : 1 ))
sql "$KIKI_DATABASE_URL" "
INSERT INTO users (id, email) SELECT g, 'user' || g || '@kiki.example' FROM generate_series(1, $users) g;
INSERT INTO campaigns (id, user_id, name) SELECT g, 1 + g % $users, 'campaign ' || g FROM generate_series(1, $campaigns) g;
INSERT INTO campaign_deployments (id, campaign_id, user_id, status, assets_source)
  SELECT g, 1 + g % $campaigns, 1 + g % $users, 'deployed', 'GENERATED' FROM generate_series(1, $rows) g;
ANALYZE"
load_ms=$(( ($(date +%s%N) - load_start) / 1000000 ))
count=$(sql "$KIKI_DATABASE_URL" "SELECT count(*) FROM campaign_deployments")

backup_ms=$(timed backup --dir "$work/backups" --name bench --keep 2)
dump_file=$(field path)
dump_bytes=$(field sizeBytes)
db_bytes=$(sql "$KIKI_DATABASE_URL" "SELECT pg_database_size(current_database())")

sql "$KIKI_DATABASE_URL" "DELETE FROM campaign_deployments WHERE id % 2 = 0"
restore_ms=$(timed restore --file "$dump_file")
restored=$(sql "$KIKI_DATABASE_URL" "SELECT count(*) FROM campaign_deployments")

echo "kiki-migrate benchmark ($(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $(pg_dump --version))"
printf '  %-44s %8s ms\n' "startup + current (no-op baseline)" "$startup_ms"
printf '  %-44s %8s ms\n' "upgrade base->head ($steps revisions)" "$upgrade_ms"
printf '  %-44s %8s ms\n' "load $count campaign_deployments (SQL)" "$load_ms"
printf '  %-44s %8s ms\n' "backup (pg_dump -Fc + pg_restore --list)" "$backup_ms"
printf '  %-44s %8s bytes (database %s bytes)\n' "dump size" "$dump_bytes" "$db_bytes"
printf '  %-44s %8s ms (%s rows back)\n' "restore (drop + pg_restore script, psql -1)" "$restore_ms" "$restored"
[ "$restored" = "$count" ] || { echo "restore did not bring back every row" >&2; exit 1; }
