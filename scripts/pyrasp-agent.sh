#!/usr/bin/env bash
# Sets up, and optionally runs, an unmodified pyrasp 0.10.2 agent (a Flask app behind FlaskRASP)
# for testing `ironward server` against the real thing (docs/management-protocol.md, issue 14).
# Used by scripts/test-pyrasp-agent.sh, which CI runs.
#
#   scripts/pyrasp-agent.sh setup                      # create the venv (idempotent)
#   scripts/pyrasp-agent.sh run CLOUD_URL KEY [PORT]   # serve a protected Flask app on 127.0.0.1:PORT (default 8701)
#
# PYRASP_PARAMS (JSON object, optional) is passed to FlaskRASP as its local `params`, the layer
# above the cloud's (e.g. '{"BEACON": true, "BEACON_URL": "...", "BEACON_DELAY": 1}').
# PYRASP_VENV picks the venv folder (default: target/pyrasp-venv). pyrasp needs CPython 3.12
# exactly (its pickled models crash on 3.11): PYTHON312 or python3.12 on PATH or from pyenv.
# pyrasp is installed with --no-deps (its declared deps pull torch, gigabytes) plus the pinned
# packages FlaskRASP needs without the prompt check.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${PYRASP_VENV:-target/pyrasp-venv}"

is_312() {
    "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' >/dev/null 2>&1
}

find_python() {
    local candidate
    for candidate in "${PYTHON312:-}" "$(command -v python3.12 || true)" "$HOME"/.pyenv/versions/3.12*/bin/python3.12; do
        if [[ -n "$candidate" && -x "$candidate" ]] && is_312 "$candidate"; then
            echo "$candidate"
            return
        fi
    done
    echo "pyrasp-agent: CPython 3.12 not found (set PYTHON312)" >&2
    exit 1
}

setup() {
    if [[ -x "$VENV/bin/python" ]] && "$VENV/bin/python" -c 'import pyrasp.pyrasp, flask' 2>/dev/null; then
        return
    fi
    "$(find_python)" -m venv "$VENV"
    "$VENV/bin/pip" install -q --no-deps pyrasp==0.10.2
    "$VENV/bin/pip" install -q \
        requests==2.34.2 psutil==7.2.2 PyJWT==2.15.1 loguru==0.7.3 cloudpickle==3.1.0 \
        scikit-learn==1.6.0 scipy==1.17.1 joblib==1.6.0 threadpoolctl==3.8.0 'numpy==1.26.4' \
        importlib_resources==7.1.0 setuptools==84.2.1 Flask==3.1.3 Werkzeug==3.1.9
    "$VENV/bin/python" -c 'import pyrasp.pyrasp; print("pyrasp", pyrasp.pyrasp.VERSION, "ready in '"$VENV"'")'
}

run() {
    local cloud_url="${1:?usage: run CLOUD_URL KEY [PORT]}" key="${2:?usage: run CLOUD_URL KEY [PORT]}"
    local port="${3:-8701}"
    setup
    exec "$VENV/bin/python" - "$cloud_url" "$key" "$port" <<'PY'
import json, os, sys
from flask import Flask
from pyrasp.pyrasp import FlaskRASP

cloud_url, key, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
app = Flask("pyrasp-agent")

@app.route("/")
def index():
    return "ok"

@app.route("/items/<int:item_id>", methods=["GET", "PUT"])
def item(item_id):
    return f"item {item_id}"

FlaskRASP(app, params=json.loads(os.environ.get("PYRASP_PARAMS") or "{}"), cloud_url=cloud_url, key=key)
app.run(host="127.0.0.1", port=port)
PY
}

case "${1:-setup}" in
    setup) setup ;;
    run) shift; run "$@" ;;
    *) echo "usage: $0 setup | run CLOUD_URL KEY [PORT]" >&2; exit 2 ;;
esac
