"""End to end: a Flask app under uvicorn on loopback, protected by FastApiRASP."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

pytest.importorskip("uvicorn")
pytest.importorskip("fastapi")

HERE = os.path.dirname(os.path.abspath(__file__))


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--port", str(port),
         "--app-dir", HERE, "--no-access-log", "uvicorn_app:app"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            urllib.request.urlopen(base + "/", timeout=1).read()
            break
        except Exception:
            if proc.poll() is not None:
                break
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("uvicorn did not start")
    if proc.poll() is not None:
        pytest.fail("uvicorn exited: " + proc.stdout.read().decode(errors="replace"))
    yield base, proc
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def _get(url, **kw):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, **kw), timeout=5) as r:
            return r.status, r.headers.get_all("Server"), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get_all("Server"), e.read()


def test_uvicorn_end_to_end(server):
    base, proc = server
    status, headers, body = _get(base + "/")
    assert status == 200 and body == b"home"
    assert headers == ["Apache"]  # uvicorn's own Server header is replaced
    status, _, body = _get(base + "/echo", data=b'{"a": 1}',
                           headers={"Content-Type": "application/json"})
    assert status == 200 and body == b'{"a": 1}'
    status, _, body = _get(base + "/leak")
    assert status == 403 and b"4111" not in body
    # The streamed leak is cut: the client gets the first chunk only (or a broken response).
    conn = http.client.HTTPConnection(base.split("//")[1], timeout=5)
    conn.request("GET", "/stream")
    r = conn.getresponse()
    assert r.status == 200
    try:
        data = r.read()
    except http.client.IncompleteRead as e:
        data = e.partial
    assert b"4111" not in data and data.startswith(b"first\n")
    conn.close()
    # Attacks, last: the client (127.0.0.1) ends up blacklisted.
    status, headers, body = _get(base + "/?q=%3Bcat+%2Fetc%2Fpasswd")
    assert status == 403 and body == b"Blocked" and headers == ["Apache"]
    status, _, _ = _get(base + "/")
    assert status == 403
