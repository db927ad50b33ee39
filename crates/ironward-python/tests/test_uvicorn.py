"""End to end: a FastAPI app under uvicorn on loopback, protected by FastApiRASP
(uvicorn_app.py). uvicorn's own Server header is turned off by the adapter."""

import os
import sys

import pytest

from _servers import check_protected_app, free_port, serving

pytest.importorskip("uvicorn")
pytest.importorskip("fastapi")

HERE = os.path.dirname(os.path.abspath(__file__))


@pytest.fixture(scope="module")
def server():
    port = free_port()
    argv = [sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--port", str(port),
            "--app-dir", HERE, "--no-access-log", "uvicorn_app:app"]
    with serving("uvicorn", argv, port) as (base, _proc):
        yield base


def test_uvicorn_end_to_end(server):
    check_protected_app(server)
