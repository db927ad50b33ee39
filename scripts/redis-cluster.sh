#!/usr/bin/env bash
# Two throwaway 3-master Redis Clusters on loopback for the shared-state cluster tests.
#
# Usage:
#   eval "$(bash scripts/redis-cluster.sh start)"   # starts them (or reuses running ones), prints
#     export IRONWARD_TEST_REDIS_CLUSTER_URL=redis://127.0.0.1:46001,127.0.0.1:46002,127.0.0.1:46003/
#     export IRONWARD_TEST_REDIS_CLUSTER_DOOMED_URL=redis://127.0.0.1:46011,...
#     export IRONWARD_TEST_REDIS_CLUSTER_DOOMED_PID=<pid of the doomed cluster's third node>
#   bash scripts/redis-cluster.sh env | status | stop
#
# The first cluster is shared by the tests; the second ("doomed") exists for the one test that
# kills a node, so that killing it never breaks tests running at the same time. Nodes keep
# nothing on disk but their cluster config, listen on 127.0.0.1 only (REDIS_CLUSTER_PORT, 46001
# by default: ports P..P+2 and P+10..P+12), live in REDIS_CLUSTER_DIR
# (/tmp/ironward-redis-cluster by default), and are made a cluster with
# `redis-cli --cluster create ... --cluster-replicas 0 --cluster-yes`.
# redis-server comes from scripts/redis.sh's install (Debian package); without it the script
# exits with status 3 and the cluster tests skip.
set -euo pipefail
# shellcheck source=lib/redis-procs.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/redis-procs.sh"

state="${REDIS_CLUSTER_DIR:-/tmp/ironward-redis-cluster}"
base="${REDIS_CLUSTER_PORT:-46001}"
shared_ports=("$base" "$((base + 1))" "$((base + 2))")
doomed_ports=("$((base + 10))" "$((base + 11))" "$((base + 12))")

log() { printf 'redis-cluster: %s\n' "$*" >&2; }

url_of() {
  local hosts=() p
  for p in "$@"; do hosts+=("127.0.0.1:$p"); done
  (IFS=,; printf 'redis://%s/' "${hosts[*]}")
}

ok() { "$(cli_bin)" -h 127.0.0.1 -p "$1" cluster info 2>/dev/null | grep -q 'cluster_state:ok'; }

all_ok() {
  local p
  for p in "${shared_ports[@]}" "${doomed_ports[@]}"; do ok "$p" || return 1; done
}

print_env() {
  printf 'export IRONWARD_TEST_REDIS_CLUSTER_URL=%q\n' "$(url_of "${shared_ports[@]}")"
  printf 'export IRONWARD_TEST_REDIS_CLUSTER_DOOMED_URL=%q\n' "$(url_of "${doomed_ports[@]}")"
  printf 'export IRONWARD_TEST_REDIS_CLUSTER_DOOMED_PID=%q\n' "$(cat "$state/${doomed_ports[2]}/redis.pid")"
}

start_node() {
  start_redis_server "$state/$1" "$1" --cluster-enabled yes \
    --cluster-config-file "$state/$1/nodes.conf" --cluster-node-timeout 2000
}

create() {
  local p args=()
  for p in "$@"; do args+=("127.0.0.1:$p"); done
  "$(cli_bin)" --cluster create "${args[@]}" --cluster-replicas 0 --cluster-yes >&2
}

start() {
  require_redis
  if all_ok 2>/dev/null; then print_env; return; fi
  stop_all
  local p
  for p in "${shared_ports[@]}" "${doomed_ports[@]}"; do start_node "$p"; done
  for p in "${shared_ports[@]}" "${doomed_ports[@]}"; do
    for _ in $(seq 1 100); do
      "$(cli_bin)" -h 127.0.0.1 -p "$p" ping 2>/dev/null | grep -q PONG && break
      sleep 0.05
    done
  done
  create "${shared_ports[@]}"
  create "${doomed_ports[@]}"
  for _ in $(seq 1 200); do
    if all_ok; then print_env; return; fi
    sleep 0.05
  done
  log "the clusters did not become ready"
  stop_all
  exit 1
}

stop_all() { stop_redis_dirs "$state"; }

redis_command "${1:-}" all_ok stop_all
