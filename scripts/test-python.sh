#!/usr/bin/env bash
# The Python package's tests: builds `ironward` from source (maturin, through pip) into a fresh
# virtual environment, installs the pinned test requirements and runs the pytest suites
# (Flask, Django, WSGI, FastAPI/ASGI, aiohttp, Lambda events, GCP and Azure functions, the
# native API, gunicorn and uvicorn on loopback).
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
trap 'rm -rf "$venv"' EXIT
"$python" -m venv "$venv"
pip=("$venv/bin/python" -m pip --disable-pip-version-check -q)

echo "==> python: installing the test requirements"
"${pip[@]}" install -r crates/ironward-python/tests/requirements.txt
echo "==> python: building and installing ironward from source"
"${pip[@]}" install ./crates/ironward-python
echo "==> python: pytest"
cd crates/ironward-python/tests
"$venv/bin/python" -m pytest -q -p no:cacheprovider "$@"

# CI (or PY_SOAK_SECONDS set): the soak under gunicorn and uvicorn in this environment (30 s each;
# the full length: bash scripts/soak.sh).
if [ "${CI:-}" = "true" ] || [ -n "${PY_SOAK_SECONDS:-}" ]; then
  echo "==> python: soak under gunicorn and uvicorn"
  cd ../../..
  PYTHON_VENV="$venv" PARTS="gunicorn uvicorn" SOAK_SECONDS="${PY_SOAK_SECONDS:-30}" \
    bash scripts/soak.sh
fi
