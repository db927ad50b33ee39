"""Real servers on loopback for the end-to-end suites (test_gunicorn.py, test_uvicorn.py): start
a server on a free port, wait until it answers, stop it; fetch a URL; and the scenario both
suites run against their app (gunicorn_app.py, uvicorn_app.py serve the same routes)."""

import contextlib
import http.client
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

import pytest


def free_port():
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(name, argv, port, timeout=30):
    """Runs ``argv`` (a server listening on 127.0.0.1:``port``) until the block ends; yields
    ``(base_url, process)`` once ``GET /`` answers. Fails the test, with the server's output,
    when it exits or does not answer within ``timeout`` seconds. The output goes to a
    temporary file, not a pipe, so a chatty server never blocks on a full pipe."""
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + timeout
        while True:
            try:
                urllib.request.urlopen(base + "/", timeout=1).read()
                break
            except Exception:
                if proc.poll() is not None:
                    log.seek(0)
                    pytest.fail(f"{name} exited: " + log.read().decode(errors="replace"))
                if time.time() > deadline:
                    pytest.fail(f"{name} did not start")
                time.sleep(0.1)
        yield base, proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log.close()


def fetch(url, **kw):
    """``(status, [Server headers], body)`` of a request (``urllib.request.Request`` kwargs)."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, **kw), timeout=5) as r:
            return r.status, r.headers.get_all("Server"), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get_all("Server"), e.read()


def check_protected_app(base):
    """The scenario of the end-to-end suites against an app with ``/``, ``/echo``, ``/leak`` and
    ``/stream`` (a card number in its second chunk), protected with DLP on card numbers."""
    status, headers, body = fetch(base + "/")
    assert status == 200 and body == b"home"
    # The server's own Server header is replaced: exactly one, the configured one.
    assert headers == ["Apache"]
    status, _, body = fetch(base + "/echo", data=b'{"a": 1}',
                            headers={"Content-Type": "application/json"})
    assert status == 200 and body == b'{"a": 1}'
    status, _, body = fetch(base + "/leak")
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
    status, headers, body = fetch(base + "/?q=%3Bcat+%2Fetc%2Fpasswd")
    assert status == 403 and body == b"Blocked" and headers == ["Apache"]
    status, _, _ = fetch(base + "/")
    assert status == 403
