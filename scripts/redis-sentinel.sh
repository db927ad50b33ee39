#!/usr/bin/env bash
# Two throwaway Redis masters, each with one replica, watched by three Redis Sentinels, on
# loopback, for the shared-state Sentinel tests (issue 15).
#
# Usage:
#   eval "$(bash scripts/redis-sentinel.sh start)"   # starts them (or reuses healthy ones), prints
#     export IRONWARD_TEST_REDIS_SENTINEL_URL=redis+sentinel://127.0.0.1:46121,...,127.0.0.1:46123/ironward-shared/0
#     export IRONWARD_TEST_REDIS_SENTINEL_DOOMED_URL=redis+sentinel://.../ironward-doomed/0
#     export IRONWARD_TEST_REDIS_SENTINEL_DOOMED_PID=<pid of the doomed master>
#     export IRONWARD_TEST_REDIS_SENTINEL_TLS_URL=rediss+sentinel://127.0.0.1:46133/ironward-tls/0
#     export IRONWARD_TEST_REDIS_SENTINEL_TLS_CA=<the test CA's certificate, PEM>
#   bash scripts/redis-sentinel.sh env | status | stop
#
# The "shared" master is used by the tests that share it; the "doomed" one exists for the test
# that kills its master (its replica is then promoted by the Sentinels), so that the failover
# never disturbs tests running at the same time. A doomed deployment that already failed over
# (no replica left) is rebuilt by the next `start`. Ports (REDIS_SENTINEL_PORT, 22101 by
# default): shared master P and replica P+1, doomed master P+10 and replica P+11, Sentinels
# P+20..P+22. Everything listens on 127.0.0.1 only, keeps nothing on disk, and lives in
# REDIS_SENTINEL_DIR (/tmp/ironward-redis-sentinel by default). The Sentinels are
# `redis-server --sentinel` (the same binary as Debian's redis-sentinel package), with a quorum
# of 2, `down-after-milliseconds` 1000 and `failover-timeout` 3000, so a killed master is
# replaced within a few seconds. A third master (P+31) and its own Sentinel (P+32, quorum 1)
# speak TLS only (`tls-port`, `tls-replication yes`), with a throwaway CA and a server
# certificate for 127.0.0.1 that `openssl` makes in REDIS_SENTINEL_DIR/tls (the openssl
# package is installed in CI when missing). redis-server comes from scripts/redis.sh's install
# (Debian package); without it the script exits with status 3 and the Sentinel tests skip.
set -euo pipefail
# shellcheck source=lib/redis-procs.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/redis-procs.sh"

state="${REDIS_SENTINEL_DIR:-/tmp/ironward-redis-sentinel}"
base="${REDIS_SENTINEL_PORT:-22101}"
shared_master="$base"
shared_replica="$((base + 1))"
doomed_master="$((base + 10))"
doomed_replica="$((base + 11))"
sentinels=("$((base + 20))" "$((base + 21))" "$((base + 22))")
names=(ironward-shared ironward-doomed)
tls_master="$((base + 31))"
tls_sentinel="$((base + 32))"
tls="$state/tls"

log() { printf 'redis-sentinel: %s\n' "$*" >&2; }

cli() { "$(cli_bin)" -h 127.0.0.1 -p "$@" 2>/dev/null; }
tls_cli() { "$(cli_bin)" --tls --cacert "$tls/ca.crt" -h 127.0.0.1 -p "$@" 2>/dev/null; }
# The TLS options of the servers and the Sentinel (no client certificates required).
tls_options() {
  echo tls-cert-file "$tls/server.crt"
  echo tls-key-file "$tls/server.key"
  echo tls-ca-cert-file "$tls/ca.crt"
  echo tls-auth-clients no
}

url_of() {
  local hosts=() p
  for p in "${sentinels[@]}"; do hosts+=("127.0.0.1:$p"); done
  (IFS=,; printf 'redis+sentinel://%s/%s/0' "${hosts[*]}" "$1")
}

# The port of the master the first answering Sentinel names for $1.
master_port() {
  local p out
  for p in "${sentinels[@]}"; do
    out="$(cli "$p" sentinel get-master-addr-by-name "$1" | sed -n 2p)"
    if [ -n "$out" ]; then echo "$out"; return 0; fi
  done
  return 1
}

# A field of `SENTINEL MASTER $2` as Sentinel $1 sees it.
sentinel_field() { cli "$1" sentinel master "$2" | awk -v k="$3" 'prev == k { print; exit } { prev = $0 }'; }

# Healthy: every Sentinel knows both masters, the two other Sentinels and the replica, and each
# master has its replica connected and synced.
healthy() {
  local name p mp
  for name in "${names[@]}"; do
    mp="$(master_port "$name")" || return 1
    cli "$mp" info replication | grep -q '^connected_slaves:1' || return 1
    # The replica has finished its first sync (online): one still syncing is not promoted.
    cli "$mp" info replication | grep -q '^slave0:.*state=online' || return 1
    for p in "${sentinels[@]}"; do
      [ "$(sentinel_field "$p" "$name" num-other-sentinels)" = 2 ] || return 1
      [ "$(sentinel_field "$p" "$name" num-slaves)" -ge 1 ] 2>/dev/null || return 1
      [ "$(sentinel_field "$p" "$name" ip)" = 127.0.0.1 ] || return 1
    done
  done
  [ "$(tls_cli "$tls_sentinel" sentinel get-master-addr-by-name ironward-tls | sed -n 2p)" = "$tls_master" ] || return 1
  tls_cli "$tls_master" ping | grep -q PONG
}

print_env() {
  local mp
  mp="$(master_port ironward-doomed)"
  printf 'export IRONWARD_TEST_REDIS_SENTINEL_URL=%q\n' "$(url_of ironward-shared)"
  printf 'export IRONWARD_TEST_REDIS_SENTINEL_DOOMED_URL=%q\n' "$(url_of ironward-doomed)"
  printf 'export IRONWARD_TEST_REDIS_SENTINEL_DOOMED_PID=%q\n' "$(cat "$state/$mp/redis.pid")"
  printf 'export IRONWARD_TEST_REDIS_SENTINEL_TLS_URL=%q\n' "rediss+sentinel://127.0.0.1:$tls_sentinel/ironward-tls/0"
  printf 'export IRONWARD_TEST_REDIS_SENTINEL_TLS_CA=%q\n' "$tls/ca.crt"
}

# A throwaway CA and a certificate for 127.0.0.1 signed by it (two days).
make_certs() {
  if ! command -v openssl >/dev/null; then
    if [ "$(id -u)" = 0 ] && { [ "${CI:-}" = "true" ] || [ "${REDIS_INSTALL:-}" = "1" ]; }; then
      log "installing openssl (Debian package)"
      export DEBIAN_FRONTEND=noninteractive
      apt-get install -y -qq openssl >&2 2>/dev/null || { apt-get update -qq >&2 && apt-get install -y -qq openssl >&2; }
    else
      log "openssl is not installed (apt-get install -y openssl)"
      exit 3
    fi
  fi
  mkdir -p "$tls"
  (
    cd "$tls"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Ironward test CA" \
      -keyout ca.key -out ca.crt 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout server.key \
      -out server.csr 2>/dev/null
    printf '%s\n' 'subjectAltName=IP:127.0.0.1' 'basicConstraints=CA:FALSE' \
      'keyUsage=digitalSignature,keyEncipherment' 'extendedKeyUsage=serverAuth' >ext.cnf
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
      -extfile ext.cnf -out server.crt 2>/dev/null
  )
}

start_tls() {
  make_certs
  local opts
  opts="$(tls_options | sed 's/^/--/' | tr '\n' ' ')"
  # shellcheck disable=SC2086 # the options are words without spaces
  start_redis_server "$state/$tls_master" 0 --tls-port "$tls_master" $opts
  local dir="$state/$tls_sentinel"
  mkdir -p "$dir"
  {
    echo "port 0"
    echo "tls-port $tls_sentinel"
    echo "bind 127.0.0.1"
    echo "daemonize yes"
    echo "pidfile $dir/redis.pid"
    echo "logfile $dir/sentinel.log"
    echo "dir $dir"
    tls_options
    echo "tls-replication yes"
    echo "sentinel monitor ironward-tls 127.0.0.1 $tls_master 1"
  } >"$dir/sentinel.conf"
  "$(server_bin)" "$dir/sentinel.conf" --sentinel >&2
}

start_server() { # port [replicaof-port]
  local extra=()
  [ -z "${2:-}" ] || extra=(--replicaof 127.0.0.1 "$2")
  start_redis_server "$state/$1" "$1" "${extra[@]}"
}

start_sentinel() {
  local port="$1" dir="$state/$1"
  mkdir -p "$dir"
  {
    echo "port $port"
    echo "bind 127.0.0.1"
    echo "daemonize yes"
    echo "pidfile $dir/redis.pid"
    echo "logfile $dir/sentinel.log"
    echo "dir $dir"
    echo "sentinel monitor ironward-shared 127.0.0.1 $shared_master 2"
    echo "sentinel monitor ironward-doomed 127.0.0.1 $doomed_master 2"
    local name
    for name in "${names[@]}"; do
      echo "sentinel down-after-milliseconds $name 1000"
      echo "sentinel failover-timeout $name 3000"
      echo "sentinel parallel-syncs $name 1"
    done
  } >"$dir/sentinel.conf"
  "$(server_bin)" "$dir/sentinel.conf" --sentinel >&2
}

start() {
  require_redis
  if healthy 2>/dev/null; then print_env; return; fi
  stop_all
  start_server "$shared_master"
  start_server "$doomed_master"
  start_server "$shared_replica" "$shared_master"
  start_server "$doomed_replica" "$doomed_master"
  local p
  for p in "${sentinels[@]}"; do start_sentinel "$p"; done
  start_tls
  # Sentinels find each other through the masters' hello channel (every 2 s) and the replicas
  # through INFO: allow 30 s on a loaded machine.
  for _ in $(seq 1 300); do
    if healthy 2>/dev/null; then print_env; return; fi
    sleep 0.1
  done
  log "the Sentinel deployment did not become ready; logs in $state"
  exit 1
}

stop_all() { stop_redis_dirs "$state"; }

redis_command "${1:-}" healthy stop_all
