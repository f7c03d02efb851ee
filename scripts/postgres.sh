#!/usr/bin/env bash
# A throwaway PostgreSQL 15 server for tests and the sandbox: its own data directory and a free port on
# 127.0.0.1, never the system cluster.
#
#   scripts/postgres.sh start DIR   starts a server in DIR and prints `export KIKI_TEST_POSTGRES_URL=...`
#   scripts/postgres.sh stop DIR    stops it (and is safe to call when it is not running)
#
# The superuser is `kiki` with a random password, so tests exercise password authentication and can check
# that the password never leaks into output. PostgreSQL refuses to run as root: as root the server runs as
# the `postgres` user.
set -euo pipefail

cmd=${1:?usage: postgres.sh start|stop DIR}
dir=${2:?usage: postgres.sh start|stop DIR}

pg_bin() {
  local bindir
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$bindir" ] || { echo "postgres.sh: no PostgreSQL server found under /usr/lib/postgresql; run scripts/install-deps.sh" >&2; exit 1; }
  echo "$bindir/$1"
}

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

case "$cmd" in
  start)
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=' | head -c 20)
    port=$(free_port)
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
    chmod 700 "$dir"
    pwfile=$(mktemp)
    printf '%s\n' "$password" > "$pwfile"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$pwfile"
    as_owner "$(pg_bin initdb)" -D "$dir/data" -U kiki --pwfile="$pwfile" --auth=scram-sha-256 \
      --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; rm -f "$pwfile"; exit 1; }
    rm -f "$pwfile"
    as_owner "$(pg_bin pg_ctl)" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      >&2 || { cat "$dir/server.log" >&2; exit 1; }
    echo "export KIKI_TEST_POSTGRES_URL=postgresql://kiki:${password}@127.0.0.1:${port}/postgres"
    ;;
  stop)
    [ -f "$dir/data/postmaster.pid" ] || exit 0
    as_owner "$(pg_bin pg_ctl)" -D "$dir/data" -m fast -w stop >&2 || true
    ;;
  *)
    echo "postgres.sh: unknown command '$cmd' (use start or stop)" >&2
    exit 2
    ;;
esac
