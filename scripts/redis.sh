#!/usr/bin/env bash
# A throwaway Redis server on loopback for the shared-state tests (issue 15).
#
# Usage:
#   eval "$(bash scripts/redis.sh start)"   # starts it (or reuses a running one), prints
#                                           # export IRONWARD_TEST_REDIS_URL=redis://127.0.0.1:PORT/0
#                                           # export IRONWARD_TEST_REDIS_SERVER=/path/to/redis-server
#   bash scripts/redis.sh env               # prints the exports of a running server
#   bash scripts/redis.sh status            # exit 0 when it answers PING
#   bash scripts/redis.sh stop              # stops it and removes its directory
#
# The server keeps nothing on disk (no RDB, no AOF), listens on 127.0.0.1 only (REDIS_PORT,
# 21379 by default) without a password, and lives in REDIS_DIR (/tmp/ironward-redis by default).
# Tests that stop and restart Redis start their own server from IRONWARD_TEST_REDIS_SERVER on
# another port, so the shared one is never killed under other tests.
#
# A missing redis-server is installed from Debian's package (`apt-get install -y redis-server`,
# after one `apt-get update` when the package lists lack it) as root in CI (CI=true) or with
# REDIS_INSTALL=1.
# Otherwise the script exits with status 3 and a message, and the tests that need Redis skip.
set -euo pipefail
# shellcheck source=lib/redis-procs.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/redis-procs.sh"

state="${REDIS_DIR:-/tmp/ironward-redis}"
port="${REDIS_PORT:-21379}"

log() { printf 'redis: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

install_if_missing() {
  [ -n "$(server_bin)" ] && [ -n "$(cli_bin)" ] && return 0
  if [ "$(id -u)" != 0 ] || { [ "${CI:-}" != "true" ] && [ "${REDIS_INSTALL:-}" != "1" ]; }; then
    log "redis-server is not installed: install the Debian package redis-server (as root:"
    log "apt-get install -y redis-server, or REDIS_INSTALL=1) to run the shared-state tests"
    exit 3
  fi
  log "installing redis-server (Debian package)"
  export DEBIAN_FRONTEND=noninteractive
  # The package lists may be there already (another script updated them): update only if the
  # install cannot find the package.
  apt-get install -y -qq redis-server >&2 2>/dev/null || { apt-get update -qq >&2 && apt-get install -y -qq redis-server >&2; }
  [ -n "$(server_bin)" ] || die "the package installed but redis-server is still missing"
}

answers() { "$(cli_bin)" -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG; }

print_env() {
  printf 'export IRONWARD_TEST_REDIS_URL=%q\n' "redis://127.0.0.1:$port/0"
  printf 'export IRONWARD_TEST_REDIS_SERVER=%q\n' "$(server_bin)"
}

start() {
  install_if_missing
  if [ -f "$state/redis.pid" ] && answers; then
    print_env
    return
  fi
  stop_server
  start_redis_server "$state" "$port"
  for _ in $(seq 1 100); do
    if answers; then print_env; return; fi
    sleep 0.05
  done
  log "redis-server did not answer on 127.0.0.1:$port; its log:"
  tail -n 20 "$state/redis.log" >&2 || true
  stop_server
  exit 1
}

stop_server() {
  stop_pid_file "$state/redis.pid"
  rm -rf "$state"
}

redis_command "${1:-}" answers stop_server
