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

# An initdb'd data directory per PostgreSQL version and initdb options, made once and copied at each start
# (initdb takes seconds, a copy a fraction of one). Under the user's cache directory, outside the checkout
# (KIKI_POSTGRES_TEMPLATE_DIR to put it elsewhere). Made in a directory of its own and renamed into place,
# so runs at once never see half a template; the run that loses the race drops its copy. Its superuser
# password was random and is forgotten: each server sets its own.
initdb_options=(-U kiki --auth=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8)
copy_template() {
  local target=$1 root version key template work
  root=${KIKI_POSTGRES_TEMPLATE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kiki-postgres-template}
  version=$("$(pg_bin postgres)" --version | grep -o "[0-9][0-9.]*" | head -n 1)
  key=$(printf '%s\n' "$(pg_bin initdb)" "${initdb_options[@]}" | sha256sum | cut -c1-12)
  template="$root/$version-$key"
  if [ ! -f "$template/PG_VERSION" ]; then
    mkdir -p "$root"
    # initdb runs as the server's owner, which (as root: postgres) may not reach the cache directory.
    work=$(mktemp -d -t kiki-initdb.XXXXXX)
    chmod 700 "$work"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$work"
    head -c 18 /dev/urandom | base64 >"$work/pwfile"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$work/pwfile"
    as_owner "$(pg_bin initdb)" -D "$work/data" "${initdb_options[@]}" --pwfile="$work/pwfile" \
      >"$work/initdb.log" 2>&1 || { cat "$work/initdb.log" >&2; rm -rf "$work"; exit 1; }
    cp "$work/data/pg_hba.conf" "$work/data/pg_hba.template"
    mv -T "$work/data" "$template.$$" && { mv -T "$template.$$" "$template" 2>/dev/null || rm -rf "$template.$$"; }
    rm -rf "$work"
  fi
  cp -a "$template" "$target"
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
    copy_template "$dir/data"
    # The template's password was thrown away: set this server's own before anyone knows where it listens.
    # Until then pg_hba.conf lets kiki in through the Unix socket only (in $dir, which only the server's
    # owner can reach) and asks every TCP client for a password nobody has yet; the template's own
    # pg_hba.conf (scram-sha-256 everywhere, as initdb wrote it) is back before the URL is printed.
    printf 'local all kiki trust\nhost all all 127.0.0.1/32 scram-sha-256\n' >"$dir/data/pg_hba.conf"
    as_owner "$(pg_bin pg_ctl)" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      >&2 || { cat "$dir/server.log" >&2; exit 1; }
    cp "$dir/data/pg_hba.template" "$dir/data/pg_hba.conf"
    printf "ALTER ROLE kiki PASSWORD '%s';\nSELECT pg_reload_conf();\n" "$password" \
      | as_owner "$(pg_bin psql)" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U kiki -d postgres >/dev/null \
      || { echo "postgres.sh: could not set the password" >&2; exit 1; }
    # pg_reload_conf() only signals the server: wait until it has read the file, i.e. the socket asks for the
    # password too, so no client ever meets the trust line.
    for _ in $(seq 1 250); do
      as_owner env -u PGPASSWORD "$(pg_bin psql)" -X -w -q -h "$dir" -p "$port" -U kiki -d postgres -c 'SELECT 1' \
        >/dev/null 2>&1 || break
      sleep 0.02
    done
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
