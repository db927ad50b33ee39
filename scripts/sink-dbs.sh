#!/usr/bin/env bash
# Throwaway PostgreSQL and MariaDB servers on loopback for the sink exploit suites (issue 13).
#
# Usage:
#   eval "$(bash scripts/sink-dbs.sh start)"   # starts both (or reuses running ones), prints
#                                              # export IRONWARD_PG_DSN=... IRONWARD_MYSQL_DSN=...
#   bash scripts/sink-dbs.sh env               # prints the exports of running servers
#   bash scripts/sink-dbs.sh status            # exit 0 when both accept connections
#   bash scripts/sink-dbs.sh stop              # stops both and removes their data
#
# Both servers keep their data in one state directory (SINK_DB_DIR, /tmp/ironward-sink-dbs by
# default), listen on 127.0.0.1 only (PG_PORT 55432, MYSQL_PORT 53306) with no password
# (PostgreSQL: trust; MariaDB: root without a password), and each gets the database
# `ironward_test`. Running `start` twice reuses servers that answer; a stale state directory
# (a killed run) is removed and the servers are created anew. A failed start stops what it began.
#
# Missing binaries are installed from Debian's packages (apt-get update once, then
# `apt-get install -y postgresql mariadb-server`) when running as root, or in CI (CI=true).
# Otherwise the script exits with status 3 and a message, and the suites that need a server skip.
# PostgreSQL refuses to run as root: as root, it runs as the `postgres` user (which the Debian
# package creates) from a directory that user owns.
set -euo pipefail

state="${SINK_DB_DIR:-/tmp/ironward-sink-dbs}"
pg_port="${PG_PORT:-55432}"
mysql_port="${MYSQL_PORT:-53306}"
db_name="ironward_test"

log() { printf 'sink-dbs: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

pg_bindir() {
  # The newest PostgreSQL server installed by Debian's packages, else whatever is on PATH.
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then
    printf '%s\n' "$dir"
  elif command -v initdb >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v initdb)")"
  fi
}

mariadbd_bin() {
  local b
  for b in /usr/sbin/mariadbd /usr/sbin/mysqld; do
    if [ -x "$b" ]; then printf '%s\n' "$b"; return; fi
  done
  command -v mariadbd 2>/dev/null || command -v mysqld 2>/dev/null || true
}

have_binaries() {
  [ -n "$(pg_bindir)" ] && [ -n "$(mariadbd_bin)" ] \
    && command -v mariadb-install-db >/dev/null 2>&1 && command -v mariadb-admin >/dev/null 2>&1
}

install_if_missing() {
  have_binaries && return 0
  if [ "$(id -u)" != 0 ]; then
    log "PostgreSQL or MariaDB is not installed and this is not root: install postgresql and"
    log "mariadb-server (Debian packages) to run the PostgreSQL/MariaDB sink suites"
    exit 3
  fi
  if [ "${CI:-}" != "true" ] && [ -n "${SINK_DB_NO_INSTALL:-}" ]; then
    log "PostgreSQL or MariaDB is missing and SINK_DB_NO_INSTALL is set"
    exit 3
  fi
  log "installing postgresql and mariadb-server (Debian packages)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  # policy-rc.d-less containers may try to start the packaged services; ours are separate.
  apt-get install -y -qq postgresql mariadb-server >&2
  have_binaries || die "the packages installed but the server binaries are still missing"
}

# --- PostgreSQL ------------------------------------------------------------------------------

as_pg_owner() {
  # Runs a command as the data directory's owner: `postgres` when we are root, else ourselves.
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

pg_ready() {
  local bindir
  bindir="$(pg_bindir)"
  [ -d "$state/pg/data" ] || return 1
  as_pg_owner "$bindir/pg_ctl" status -D "$state/pg/data" >/dev/null 2>&1 || return 1
  psql_q -tAc "select 1" "$db_name" >/dev/null 2>&1
}

psql_q() {
  # psql over TCP on loopback as the superuser `postgres` (trust authentication).
  PGCONNECT_TIMEOUT=3 psql -X -q -h 127.0.0.1 -p "$pg_port" -U postgres -v ON_ERROR_STOP=1 "$@"
}

pg_start() {
  local bindir
  bindir="$(pg_bindir)"
  mkdir -p "$state/pg"
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir "$state/pg" --shell /bin/false postgres
    chown -R postgres: "$state/pg"
    # The state directory's parents must be traversable by `postgres`.
    chmod 755 "$state"
  fi
  as_pg_owner "$bindir/initdb" -D "$state/pg/data" -U postgres -A trust -E UTF8 \
    --locale=C.UTF-8 --no-sync >"$state/pg/initdb.log" 2>&1 \
    || { cat "$state/pg/initdb.log" >&2; die "initdb failed"; }
  as_pg_owner "$bindir/pg_ctl" start -w -t 30 -D "$state/pg/data" -l "$state/pg/server.log" \
    -o "-p $pg_port -c listen_addresses=127.0.0.1 -k $state/pg -c fsync=off \
-c synchronous_commit=off -c full_page_writes=off -c max_connections=50" >/dev/null \
    || { cat "$state/pg/server.log" >&2; die "PostgreSQL did not start"; }
  psql_q -c "create database $db_name" postgres >/dev/null
}

pg_stop() {
  local bindir
  bindir="$(pg_bindir)"
  if [ -n "$bindir" ] && [ -f "$state/pg/data/postmaster.pid" ]; then
    as_pg_owner "$bindir/pg_ctl" stop -D "$state/pg/data" -m immediate -w -t 20 >/dev/null 2>&1 \
      || true
  fi
}

# --- MariaDB ---------------------------------------------------------------------------------

mysql_q() {
  mariadb --no-defaults --protocol=tcp -h 127.0.0.1 -P "$mysql_port" -u root \
    --connect-timeout=3 "$@"
}

mysql_ready() {
  [ -f "$state/mysql/mariadbd.pid" ] || return 1
  mysql_q -e "select 1" "$db_name" >/dev/null 2>&1
}

mysql_start() {
  local mariadbd
  mariadbd="$(mariadbd_bin)"
  mkdir -p "$state/mysql/data"
  mariadb-install-db --no-defaults --datadir="$state/mysql/data" --user="$(id -un)" \
    --auth-root-authentication-method=normal --skip-test-db \
    >"$state/mysql/install.log" 2>&1 \
    || { cat "$state/mysql/install.log" >&2; die "mariadb-install-db failed"; }
  # setsid: the server outlives this script and ignores the caller's terminal signals.
  setsid "$mariadbd" --no-defaults --datadir="$state/mysql/data" \
    --socket="$state/mysql/mariadbd.sock" --pid-file="$state/mysql/mariadbd.pid" \
    --port="$mysql_port" --bind-address=127.0.0.1 --user="$(id -un)" \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
    --skip-name-resolve --skip-log-bin --innodb-buffer-pool-size=32M \
    --innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0 \
    --log-error="$state/mysql/server.log" </dev/null >/dev/null 2>&1 &
  local i
  for i in $(seq 1 150); do
    if mysql_q -e "select 1" >/dev/null 2>&1; then
      mysql_q -e "create database if not exists $db_name"
      return 0
    fi
    if ! kill -0 $! 2>/dev/null; then break; fi
    sleep 0.2
  done
  cat "$state/mysql/server.log" >&2 || true
  die "MariaDB did not start"
}

mysql_stop() {
  local pid
  if [ -f "$state/mysql/mariadbd.pid" ]; then
    pid="$(cat "$state/mysql/mariadbd.pid" 2>/dev/null || true)"
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      local i
      for i in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
      done
      kill -9 "$pid" 2>/dev/null || true
    fi
  fi
}

# --- commands --------------------------------------------------------------------------------

print_env() {
  printf "export IRONWARD_PG_DSN='postgresql://postgres@127.0.0.1:%s/%s'\n" "$pg_port" "$db_name"
  printf "export IRONWARD_MYSQL_DSN='mysql://root@127.0.0.1:%s/%s'\n" "$mysql_port" "$db_name"
}

stop_all() {
  pg_stop
  mysql_stop
  rm -rf "$state"
}

start_all() {
  install_if_missing
  if pg_ready && mysql_ready; then
    log "reusing the servers in $state"
    print_env
    return 0
  fi
  # Stale or half-started state from an earlier run: start from nothing.
  stop_all
  mkdir -p "$state"
  trap 'stop_all' EXIT
  local t0=$SECONDS
  # initdb/PostgreSQL and mariadb-install-db/MariaDB start concurrently.
  pg_start &
  local pg_job=$!
  mysql_start
  wait "$pg_job" || die "PostgreSQL failed to start"
  pg_ready || die "PostgreSQL does not answer on 127.0.0.1:$pg_port"
  mysql_ready || die "MariaDB does not answer on 127.0.0.1:$mysql_port"
  trap - EXIT
  log "PostgreSQL on 127.0.0.1:$pg_port and MariaDB on 127.0.0.1:$mysql_port ready in $((SECONDS - t0)) s"
  print_env
}

case "${1:-start}" in
  start) start_all ;;
  stop) stop_all ;;
  env) pg_ready && mysql_ready || die "not running"; print_env ;;
  status) pg_ready && mysql_ready ;;
  *) die "usage: $0 start|stop|env|status" ;;
esac
