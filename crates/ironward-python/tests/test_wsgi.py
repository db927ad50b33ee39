"""WsgiRASP around plain WSGI applications, through werkzeug's test client and wsgiref."""

import hashlib
import json
import threading
import urllib.error
import urllib.request
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, make_server

from werkzeug.test import Client

from ironward import Engine, WsgiRASP

from conftest import ATTACK_QUERY, CARD, JNDI, SSRF_JSON, TOKEN, params, responses_handed


def app(environ, start_response):
    path = environ["PATH_INFO"]
    if path == "/echo":
        n = int(environ.get("CONTENT_LENGTH") or 0)
        data = environ["wsgi.input"].read(n)
        body = json.dumps({"size": len(data), "sha": hashlib.sha256(data).hexdigest(),
                           "qs": parse_qs(environ.get("QUERY_STRING", ""))}).encode()
        start_response("200 OK", [("Content-Type", "application/json"),
                                  ("Content-Length", str(len(body)))])
        return [body]
    if path == "/leak":
        body = f"card {CARD}".encode()
        start_response("200 OK", [("Content-Type", "text/plain"),
                                  ("Content-Length", str(len(body)))])
        return [body]
    if path == "/leak-gen":
        def gen():
            start_response("200 OK", [("Content-Type", "text/plain")])
            yield b"hello "
            yield f"token {TOKEN} ".encode()
            yield b"bye"
        return gen()
    if path == "/gen":
        def gen():
            start_response("200 OK", [("Content-Type", "text/plain")])
            for i in range(3):
                yield f"part {i};".encode()
        return gen()
    if path == "/missing":
        start_response("404 Not Found", [])
        return [b"no"]
    if path == "/write":
        write = start_response("200 OK", [("Content-Type", "text/plain")])
        write(b"legacy ")
        return [b"write"]
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


def client(**extra):
    rasp = WsgiRASP(app, params=params(**extra))
    return Client(rasp), rasp


def test_benign_passes_with_body_intact():
    c, _ = client()
    data = json.dumps({"item": "shoes", "qty": 2}).encode()
    r = c.post("/echo?tag=a&tag=b", data=data, content_type="application/json")
    assert r.status_code == 200
    doc = r.get_json()
    assert doc["size"] == len(data) and doc["sha"] == hashlib.sha256(data).hexdigest()
    assert doc["qs"] == {"tag": ["a", "b"]}


def test_multipart_and_big_bodies_intact():
    c, _ = client(MAX_BODY_BYTES=2048, BODY_LIMIT_ACTION="monitor")
    data = b"a=1&" + b"b" * 10000
    r = c.post("/echo", data=data, content_type="application/x-www-form-urlencoded")
    assert r.get_json()["size"] == len(data)
    assert r.get_json()["sha"] == hashlib.sha256(data).hexdigest()


def test_attacks_blocked():
    c, _ = client()
    assert c.get("/?" + ATTACK_QUERY).status_code == 403
    c, _ = client()
    assert c.post("/echo", json=SSRF_JSON).status_code == 403
    c, _ = client()
    assert c.get("/", headers={"User-Agent": JNDI}).status_code == 403
    c, _ = client()
    r = c.get("/.env")
    assert r.status_code == 403 and r.data == b"Blocked" and r.headers["Server"] == "Apache"


def test_no_route_table_no_route_check():
    c, _ = client()
    assert c.get("/anything").status_code == 200


def test_buffered_leak_blocked():
    c, _ = client()
    r = c.get("/leak")
    assert r.status_code == 403 and CARD.encode() not in r.data


def test_streamed_leak_cut():
    c, _ = client()
    r = c.get("/leak-gen")
    assert r.status_code == 200 and r.data == b"hello "


def test_generator_and_write_pass():
    c, _ = client()
    assert c.get("/gen").data == b"part 0;part 1;part 2;"
    assert c.get("/write").data == b"legacy write"


def test_server_header():
    c, _ = client()
    assert c.get("/").headers["Server"] == "Apache"
    assert c.get("/gen").headers["Server"] == "Apache"


def test_responses_the_engine_cannot_act_on_pass_straight_through():
    # DLP off: a 2xx/3xx response to a clean request goes straight to the server (no
    # buffering, no native call), with the Server header; an error status still reaches
    # the engine (brute force counts it).
    c, rasp = client(**{"SECURITY_CHECKS.dlp": 0, "ERROR_FLOOD_RATIO": 2})
    handed = responses_handed(rasp)
    for path, body in (("/", b"ok"), ("/gen", b"part 0;part 1;part 2;"),
                       ("/write", b"legacy write"), ("/leak", f"card {CARD}".encode())):
        r = c.get(path)
        assert (r.status_code, r.data, r.headers["Server"]) == (200, body, "Apache"), path
    assert handed == [], "2xx responses must not be handed to the engine"
    peer = {"REMOTE_ADDR": "198.51.100.7"}  # werkzeug's client sets no peer; brute needs one
    statuses = [c.get("/missing", environ_base=peer).status_code for _ in range(4)]
    assert statuses[0] == 404 and statuses[-1] == 403, statuses
    assert handed and all(str(h).startswith("404") for h in handed), handed


def test_monitor_passes(capfd):
    rasp = WsgiRASP(app, template="monitor", params={"VERBOSE": 10})
    r = Client(rasp).get("/?" + ATTACK_QUERY)
    assert r.status_code == 200
    assert "[!] Command Injection" in capfd.readouterr().err


def test_internal_error_fails_open():
    c, rasp = client()
    rasp._engine = Engine(params=json.dumps(params()), _fault=True)
    assert c.get("/?" + ATTACK_QUERY).status_code == 200


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def test_wsgiref_server_on_loopback():
    rasp = WsgiRASP(app, params=params())
    server = make_server("127.0.0.1", 0, rasp, handler_class=_Quiet)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        with urllib.request.urlopen(base + "/gen") as r:
            assert r.status == 200 and r.read() == b"part 0;part 1;part 2;"
        try:
            urllib.request.urlopen(base + "/?" + ATTACK_QUERY)
            raise AssertionError("not blocked")
        except urllib.error.HTTPError as e:
            assert e.code == 403
    finally:
        server.shutdown()
        server.server_close()
