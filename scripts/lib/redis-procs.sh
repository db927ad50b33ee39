# Shared by scripts/redis.sh, scripts/redis-cluster.sh and scripts/redis-sentinel.sh (sourced,
# not run): finding the Debian redis binaries, starting a throwaway redis-server on loopback,
# stopping the servers a script started, and the start|stop|env|status command line.
#
# The sourcing script defines `log`, `start` and `print_env`.

server_bin() { command -v redis-server 2>/dev/null || { [ -x /usr/bin/redis-server ] && echo /usr/bin/redis-server; } || true; }
cli_bin() { command -v redis-cli 2>/dev/null || { [ -x /usr/bin/redis-cli ] && echo /usr/bin/redis-cli; } || true; }

# Exits with status 3 (the tests then skip) when redis-server or redis-cli is missing.
require_redis() {
  if [ -z "$(server_bin)" ] || [ -z "$(cli_bin)" ]; then
    log "redis-server is not installed (bash scripts/redis.sh start installs it in CI)"
    exit 3
  fi
}

# start_redis_server DIR PORT [ARGS...]: a daemonized redis-server on 127.0.0.1:PORT keeping
# nothing on disk (no RDB, no AOF), its pid file, log and files in DIR, with extra ARGS.
start_redis_server() {
  local dir="$1" port="$2"
  shift 2
  mkdir -p "$dir"
  "$(server_bin)" --port "$port" --bind 127.0.0.1 --dir "$dir" --daemonize yes \
    --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --save "" --appendonly no \
    --protected-mode yes "$@" >&2
}

# stop_pid_file FILE: stops the process FILE names (waiting up to 5 s for it to exit).
stop_pid_file() {
  local pid
  [ -f "$1" ] || return 0
  pid="$(cat "$1" 2>/dev/null || true)"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  fi
}

# stop_redis_dirs DIR: stops every server whose pid file is DIR/*/redis.pid, then removes DIR.
stop_redis_dirs() {
  local d
  for d in "$1"/*/; do stop_pid_file "$d/redis.pid"; done
  rm -rf "$1"
}

# redis_command COMMAND READY STOP: runs start, STOP, `env` (READY then print_env) or `status`
# (READY).
redis_command() {
  case "${1:-}" in
    start) start ;;
    stop) "$3" ;;
    env) "$2" && print_env || { log "not running"; exit 1; } ;;
    status) "$2" ;;
    *) echo "usage: $0 start|stop|env|status" >&2; exit 2 ;;
  esac
}
