"""End to end: a Flask app under gunicorn on loopback, protected by FlaskRASP (gunicorn_app.py).
gunicorn drops the application's Server header and sends its own: FlaskRASP sets that one."""

import os
import sys

import pytest

from _servers import check_protected_app, free_port, serving

HERE = os.path.dirname(os.path.abspath(__file__))


@pytest.fixture(scope="module")
def server():
    if sys.platform == "win32":
        pytest.skip("gunicorn needs a Unix system")
    port = free_port()
    argv = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
            "--chdir", HERE, "gunicorn_app:app"]
    with serving("gunicorn", argv, port) as (base, _proc):
        yield base


def test_gunicorn_end_to_end(server):
    check_protected_app(server)
