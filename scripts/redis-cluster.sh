#!/usr/bin/env bash
# Three throwaway 3-master Redis Clusters on loopback for the shared-state cluster tests.
#
# Usage:
#   eval "$(bash scripts/redis-cluster.sh start)"   # starts them (or reuses running ones), prints
#     export IRONWARD_TEST_REDIS_CLUSTER_URL=redis://127.0.0.1:21001,127.0.0.1:21002,127.0.0.1:21003/
#     export IRONWARD_TEST_REDIS_CLUSTER_DOOMED_URL=redis://127.0.0.1:21011,...
#     export IRONWARD_TEST_REDIS_CLUSTER_DOOMED_PID=<pid of the doomed cluster's third node>
#     export IRONWARD_TEST_REDIS_CLUSTER_FAILOVER_URL=redis://127.0.0.1:21021,...,127.0.0.1:21026/
#     export IRONWARD_TEST_REDIS_CLUSTER_FAILOVER_PID=<pid of one of its masters>
#   bash scripts/redis-cluster.sh env | status | stop
#
# The first cluster is shared by the tests; the second ("doomed") exists for the one test that
# kills a node, so that killing it never breaks tests running at the same time; the third
# ("failover": three masters with one replica each, `cluster-node-timeout` 1000 ms) for the test
# that kills a master and sees its replica promoted. A cluster that lost a node is rebuilt by
# the next `start`. Nodes keep nothing on disk but their cluster config, listen on 127.0.0.1
# only (REDIS_CLUSTER_PORT, 21001 by default: ports P..P+2, P+10..P+12 and P+20..P+25, and
# their cluster bus ports 10000 higher; all below Linux's ephemeral range, 32768 up, so that no
# outgoing connection holds one), live in REDIS_CLUSTER_DIR
# (/tmp/ironward-redis-cluster by default), and are made clusters with
# `redis-cli --cluster create ... --cluster-replicas 0|1 --cluster-yes`.
# redis-server comes from scripts/redis.sh's install (Debian package); without it the script
# exits with status 3 and the cluster tests skip.
set -euo pipefail
# shellcheck source=lib/redis-procs.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/redis-procs.sh"

state="${REDIS_CLUSTER_DIR:-/tmp/ironward-redis-cluster}"
base="${REDIS_CLUSTER_PORT:-21001}"
shared_ports=("$base" "$((base + 1))" "$((base + 2))")
doomed_ports=("$((base + 10))" "$((base + 11))" "$((base + 12))")
failover_ports=("$((base + 20))" "$((base + 21))" "$((base + 22))" "$((base + 23))" "$((base + 24))" "$((base + 25))")
all_ports=("${shared_ports[@]}" "${doomed_ports[@]}" "${failover_ports[@]}")

log() { printf 'redis-cluster: %s\n' "$*" >&2; }

url_of() {
  local hosts=() p
  for p in "$@"; do hosts+=("127.0.0.1:$p"); done
  (IFS=,; printf 'redis://%s/' "${hosts[*]}")
}

cli() { "$(cli_bin)" -h 127.0.0.1 -p "$@" 2>/dev/null; }

ok() { cli "$1" cluster info | grep -q 'cluster_state:ok'; }

# The failover cluster's masters (each must have its replica connected).
failover_masters() {
  local p
  for p in "${failover_ports[@]}"; do
    cli "$p" role | head -n 1 | grep -qx master && echo "$p"
  done
  return 0
}

all_ok() {
  local p masters
  for p in "${all_ports[@]}"; do ok "$p" || return 1; done
  masters="$(failover_masters)"
  [ "$(wc -l <<<"$masters")" = 3 ] || return 1
  for p in $masters; do cli "$p" info replication | grep -q '^connected_slaves:1' || return 1; done
  # Each replica has finished its first sync (a replica still syncing when its master is killed
  # refuses to be promoted: "disconnected from master for longer than allowed").
  for p in "${failover_ports[@]}"; do
    grep -qx "$p" <<<"$masters" && continue
    cli "$p" info replication | grep -q '^master_link_status:up' || return 1
  done
}

print_env() {
  printf 'export IRONWARD_TEST_REDIS_CLUSTER_URL=%q\n' "$(url_of "${shared_ports[@]}")"
  printf 'export IRONWARD_TEST_REDIS_CLUSTER_DOOMED_URL=%q\n' "$(url_of "${doomed_ports[@]}")"
  printf 'export IRONWARD_TEST_REDIS_CLUSTER_DOOMED_PID=%q\n' "$(cat "$state/${doomed_ports[2]}/redis.pid")"
  printf 'export IRONWARD_TEST_REDIS_CLUSTER_FAILOVER_URL=%q\n' "$(url_of "${failover_ports[@]}")"
  printf 'export IRONWARD_TEST_REDIS_CLUSTER_FAILOVER_PID=%q\n' "$(cat "$state/$(failover_masters | tail -n 1)/redis.pid")"
}

start_node() { # port [cluster-node-timeout]
  start_redis_server "$state/$1" "$1" --cluster-enabled yes \
    --cluster-config-file "$state/$1/nodes.conf" --cluster-node-timeout "${2:-2000}"
}

create() { # replicas-per-master port...
  local p args=() replicas="$1"
  shift
  for p in "$@"; do args+=("127.0.0.1:$p"); done
  "$(cli_bin)" --cluster create "${args[@]}" --cluster-replicas "$replicas" --cluster-yes >&2
}

start() {
  require_redis
  if all_ok 2>/dev/null; then print_env; return; fi
  stop_all
  local p
  for p in "${shared_ports[@]}" "${doomed_ports[@]}"; do start_node "$p"; done
  for p in "${failover_ports[@]}"; do start_node "$p" 1000; done
  for p in "${all_ports[@]}"; do
    for _ in $(seq 1 100); do
      cli "$p" ping | grep -q PONG && break
      sleep 0.05
    done
  done
  create 0 "${shared_ports[@]}"
  create 0 "${doomed_ports[@]}"
  create 1 "${failover_ports[@]}"
  # The replicas join and sync within a few seconds: allow 30 s on a loaded machine.
  for _ in $(seq 1 600); do
    if all_ok; then print_env; return; fi
    sleep 0.05
  done
  log "the clusters did not become ready"
  stop_all
  exit 1
}

stop_all() { stop_redis_dirs "$state"; }

redis_command "${1:-}" all_ok stop_all
