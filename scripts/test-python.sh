#!/usr/bin/env bash
# The Python package's tests: builds `ironward` from source (maturin, through pip) into a fresh
# virtual environment, installs the pinned test requirements and runs the pytest suites
# (Flask, Django, WSGI, FastAPI/ASGI, aiohttp, Lambda events, GCP and Azure functions, the
# native API, gunicorn and uvicorn on loopback, the sink exploit suite against the vulnerable
# example apps on SQLite, PostgreSQL and MariaDB, started here by scripts/sink-dbs.sh).
# Usage: bash scripts/test-python.sh            (PYTHON=python3.x to pick another interpreter)
# Needs Python 3.9+ (3.11 by default) with venv, a Rust toolchain, and the package registries.
set -euo pipefail
cd "$(dirname "$0")/.."

python="${PYTHON:-python3.11}"
if ! command -v "$python" >/dev/null 2>&1; then
  echo "test-python: $python not found on PATH (set PYTHON=...)" >&2
  exit 1
fi

venv="$(mktemp -d "${TMPDIR:-/tmp}/ironward-py.XXXXXX")"
sink_dbs_started=""
redis_started=""
cleanup() {
  if [ -n "$sink_dbs_started" ]; then bash "$root/scripts/sink-dbs.sh" stop || true; fi
  if [ -n "$redis_started" ]; then bash "$root/scripts/redis.sh" stop || true; fi
  rm -rf "$venv"
}
root="$(pwd)"
trap cleanup EXIT
"$python" -m venv "$venv"
pip=("$venv/bin/python" -m pip --disable-pip-version-check -q)

echo "==> python: installing the test requirements"
"${pip[@]}" install -r crates/ironward-python/tests/requirements.txt
echo "==> python: building and installing ironward from source"
"${pip[@]}" install ./crates/ironward-python
# The sink exploit suite's PostgreSQL and MariaDB (scripts/sink-dbs.sh, on loopback): in CI
# always (installed if missing); elsewhere when they are installed, or with SINK_DBS=1 (installs
# them as root). SINK_DBS=0 skips them: the PostgreSQL/MariaDB parts of the suite then skip.
if [ "${SINK_DBS:-}" != "0" ]; then
  no_install=1
  if [ "${CI:-}" = "true" ] || [ "${SINK_DBS:-}" = "1" ]; then no_install=""; fi
  echo "==> python: PostgreSQL and MariaDB for the sink exploit suite"
  set +e
  dbs_env="$(SINK_DB_NO_INSTALL="$no_install" bash scripts/sink-dbs.sh start)"
  dbs_rc=$?
  set -e
  if [ "$dbs_rc" = 0 ]; then
    sink_dbs_started=1
    eval "$dbs_env"
  elif [ "$dbs_rc" = 3 ] && [ -n "$no_install" ]; then
    echo "test-python: PostgreSQL/MariaDB not installed: their sink suites skip (SINK_DBS=1 installs)"
  else
    echo "test-python: could not start PostgreSQL/MariaDB (scripts/sink-dbs.sh)" >&2
    exit 1
  fi
fi

# The shared-state tests' Redis (scripts/redis.sh; scripts/test.sh may have started it already):
# in CI always (installed if missing); elsewhere when redis-server is installed.
if [ -z "${IRONWARD_TEST_REDIS_URL:-}" ]; then
  echo "==> python: Redis for the shared-state tests"
  if redis_env="$(bash scripts/redis.sh start)"; then
    redis_started=1
    eval "$redis_env"
  elif [ "${CI:-}" = "true" ]; then
    echo "test-python: could not start Redis (scripts/redis.sh)" >&2
    exit 1
  else
    echo "test-python: no redis-server: the shared-state tests skip"
  fi
fi

# Headless Chromium for test_dashboard_chromium.py (Debian's chromium and chromium-driver): in CI
# installed when missing; elsewhere the test skips without them.
if [ "${CI:-}" = "true" ] && ! { command -v chromium && command -v chromedriver; } >/dev/null 2>&1; then
  echo "==> python: installing chromium and chromium-driver for the dashboard test"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi

echo "==> python: pytest"
cd crates/ironward-python/tests
"$venv/bin/python" -m pytest -q -p no:cacheprovider "$@"

# CI (or SQLMAP=1): sqlmap against the vulnerable Flask app, unprotected (it must find the SQL
# injections) and protected (it must find none); about a minute. It needs the sink
# instrumentation (ironward.Blocked), like the protected half of test_sink_exploits.py.
if [ "${CI:-}" = "true" ] || [ "${SQLMAP:-}" = "1" ]; then
  cd "$root"
  if "$venv/bin/python" -c 'import ironward, sys; sys.exit(0 if hasattr(ironward, "Blocked") else 1)'; then
    echo "==> python: sqlmap against the vulnerable app"
    PYTHON_VENV="$venv" bash scripts/sqlmap-check.sh
  else
    echo "==> python: sqlmap check skipped: no sink instrumentation (ironward.Blocked) yet"
  fi
  cd crates/ironward-python/tests
fi

# CI (or PY_SOAK_SECONDS set): the soak under gunicorn and uvicorn in this environment (30 s each;
# the full length: bash scripts/soak.sh).
if [ "${CI:-}" = "true" ] || [ -n "${PY_SOAK_SECONDS:-}" ]; then
  echo "==> python: soak under gunicorn and uvicorn"
  cd ../../..
  PYTHON_VENV="$venv" PARTS="gunicorn uvicorn" SOAK_SECONDS="${PY_SOAK_SECONDS:-30}" \
    bash scripts/soak.sh
fi
