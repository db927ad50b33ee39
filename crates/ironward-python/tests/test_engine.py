"""The native module: Engine, Verdict, DlpStream, ConfigError."""

import json
import threading

import pytest

import ironward
from ironward import ROUTE_MATCHED, ROUTE_METHOD_NOT_ALLOWED, ROUTE_NOT_FOUND, ConfigError, Engine

from conftest import CARD, TOKEN, params

H = [("Host", "shop.example"), ("User-Agent", "Mozilla/5.0")]


def engine(**extra):
    return Engine(params=json.dumps(params(**extra)))


def test_import_is_light():
    import subprocess
    import sys
    code = "import sys, ironward; print('flask' in sys.modules, 'django' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "False False"
    assert ironward.__version__
    assert set(ironward.__all__) >= {"FlaskRASP", "WsgiRASP", "DjangoRASP", "ConfigError"}


def test_allow_and_block_verdicts():
    e = engine()
    v = e.inspect_request("GET", "/products", "page=2", H, "198.51.100.1")
    assert v.action == "allow" and not v.blocked and v.status is None and v.findings == []
    assert v.client_ip == "198.51.100.1" and v.method == "GET" and v.path == "/products"
    v = e.inspect_request("GET", "/.env", "", H, "203.0.113.9")
    assert v.blocked and v.action == "block_and_blacklist" and v.status == 403
    assert v.body == b"Blocked"
    assert ("Server", "Apache") in v.headers
    f = v.findings[0]
    assert f["check"] == "decoy" and f["location"] == "path" and f["payload"] == "/.env"
    assert e.blacklist() == ["203.0.113.9"]


def test_routes():
    e = engine()
    assert e.inspect_request("GET", "/x", route=ROUTE_NOT_FOUND).status == 404
    assert e.inspect_request("GET", "/x", route=ROUTE_MATCHED).action == "allow"
    e2 = engine(**{"SECURITY_CHECKS.method": 1})
    assert e2.inspect_request("DELETE", "/x", route=ROUTE_METHOD_NOT_ALLOWED).status == 405


def test_body_and_cut_length():
    e = engine()
    body = json.dumps({"url": "http://169.254.169.254/latest/meta-data/"}).encode()
    v = e.inspect_request("POST", "/api", "", H + [("Content-Type", "application/json")],
                          "198.51.100.1", body)
    assert v.blocked and v.findings[0]["check"] == "ssrf"
    # A body cut short (body_len past what was handed over) gets 413 by default
    # (BODY_LIMIT_ACTION block); in monitor, its prefix is inspected and the request passes.
    v = e.inspect_request("POST", "/api", "", H + [("Content-Type", "application/json")],
                          "198.51.100.2", b'{"a": "b"', 10_000_000)
    assert v.blocked and v.status == 413
    m = engine(BODY_LIMIT_ACTION="monitor")
    v = m.inspect_request("POST", "/api", "", H + [("Content-Type", "application/json")],
                          "198.51.100.2", b'{"a": "b"', 10_000_000)
    assert not v.blocked


def test_response_and_stream():
    e = engine()
    v = e.inspect_request("GET", "/account", "", H, "198.51.100.1")
    out = e.inspect_response(v, 200, [("Content-Type", "text/html")], f"card {CARD}".encode())
    assert out.blocked and out.findings[0]["check"] == "dlp"
    ok = e.inspect_response(v, 200, [("Content-Type", "text/html")], b"hello")
    assert ok.action == "allow"
    s = e.dlp_stream(v, 200, [("Content-Type", "text/event-stream")])
    assert s is not None and not s.done
    assert s.push(b"data: hello\n\n") is None
    cut = s.push(f"data: {TOKEN}\n\n".encode())
    assert cut is not None and cut.blocked and s.done
    assert e.dlp_stream(v, 500, [("Content-Type", "text/plain")]) is None
    assert e.dlp_stream(v, 200, [("Content-Type", "image/png")]) is None


def test_config_error_lists_every_problem(tmp_path):
    with pytest.raises(ConfigError) as info:
        Engine(params=json.dumps({"BLOCK_STATUS_CODE": 99, "VERBOS": 1, "WHITELIST": ["x"]}))
    assert len(info.value.errors) == 3
    assert "VERBOSE" in str(info.value)  # the closest known key is suggested
    with pytest.raises(ConfigError):
        Engine(template="nope")
    with pytest.raises(ConfigError):
        Engine(conf=str(tmp_path / "missing.json"))
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    with pytest.raises(ConfigError, match="line 1"):
        Engine(conf=str(bad))


def test_blacklist_api_and_reconfiguration_keeps_it():
    e = engine()
    e.blacklist_add("203.0.113.7", 60)
    assert e.inspect_request("GET", "/", "", H, "203.0.113.7").blocked
    e2 = Engine(params=json.dumps(params(SERVER_HEADER="Shop")), previous=e)
    assert e2.blacklist() == ["203.0.113.7"] and e2.server_header == "Shop"
    assert e2.blacklist_remove("203.0.113.7") and e2.blacklist() == []
    with pytest.raises(ValueError):
        e.blacklist_add("not-an-ip")


def test_status_helpers():
    e = engine()
    assert e.max_body_bytes == 1024 * 1024 and e.fail_open
    assert dict(e.checks())["decoy"] == 2
    assert json.loads(e.config_json())["APP_NAME"] == "Web Server"
    assert e.banner(0) == "" and "Ironward successfully started" in e.banner(10)
    assert e.log_stats() is None and e.flush(0.1)


def test_internal_error_fails_open_then_closed():
    v = Engine(_fault=True).inspect_request("GET", "/.env")
    assert v.action == "allow" and "injected fault" in v.internal_error
    v = Engine(params='{"FAIL_OPEN": false}', _fault=True).inspect_request("GET", "/")
    assert v.blocked and v.status == 403


def test_native_panics_are_counted_and_a_failed_stream_scan_stops():
    e = Engine(params=json.dumps({"VERBOSE": 0, "SECURITY_CHECKS.dlp": 1, "DLP_API": True}),
               _fault=True)
    v = e.inspect_request("GET", "/events", "", H, "198.51.100.1")
    assert v.action == "allow" and "injected fault" in v.internal_error
    assert e.metrics_snapshot()["internal_errors"] == 1
    s = e.dlp_stream(v, 200, [("Content-Type", "text/plain")])
    out = s.push(b"data: one")
    assert out.action == "allow" and "injected fault" in out.internal_error
    assert e.metrics_snapshot()["internal_errors"] == 2
    # The rest goes on unscanned: no verdict, not counted again.
    assert s.done and s.push(f"data: {TOKEN}".encode()) is None and s.finish() is None
    assert e.metrics_snapshot()["internal_errors"] == 2


def test_threads_share_one_engine():
    e = engine(BLACKLIST_OVERRIDE=True, **{"SECURITY_CHECKS.flood": 0})
    errors = []

    def work(i):
        try:
            for j in range(200):
                v = e.inspect_request("GET", "/search", f"q=item{i}-{j}", H, f"198.51.100.{i}")
                assert not v.blocked
                b = e.inspect_request("GET", "/search", "q=%3Bcat+%2Fetc%2Fpasswd", H,
                                      f"198.51.100.{i}")
                assert b.blocked
        except Exception as ex:  # pragma: no cover - reported below
            errors.append(ex)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(1, 5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_async_stream_scan():
    import asyncio
    from ironward import BaseRASP

    e = engine()
    v = e.inspect_request("GET", "/events", "", H, "198.51.100.1")

    async def body():
        yield b"data: one\n\n"
        yield f"data: {TOKEN}\n\n".encode()
        yield b"data: three\n\n"

    async def collect():
        s = e.dlp_stream(v, 200, [("Content-Type", "text/event-stream")])
        return [c async for c in BaseRASP.ascan_stream(s, body())]

    assert asyncio.run(collect()) == [b"data: one\n\n"]


def test_forked_worker_keeps_working(tmp_path):
    import os
    import sys
    if not hasattr(os, "fork"):
        pytest.skip("no fork")
    from ironward import WsgiRASP
    rasp = WsgiRASP(lambda env, sr: [b""], params=params(
        LOG_ENABLED=True, LOG_PROTOCOL="file", LOG_PATH=str(tmp_path / "events.log"),
        LOG_FORMAT="json"))
    pid = os.fork()
    if pid == 0:  # the child: an attack is shipped by the rebuilt engine
        code = 1
        try:
            v = rasp.engine.inspect_request("GET", "/.env", "", H, "203.0.113.9")
            code = 0 if v.blocked and rasp.engine.flush(5.0) else 1
            code = 0 if code == 0 and rasp.engine.log_stats()["sent"] == 1 else 1
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0 if sys.version_info >= (3, 9) else True
    assert "decoy" in (tmp_path / "events.log").read_text()


def test_wsgi_target_is_what_the_application_reads():
    # The query from QUERY_STRING and the path from SCRIPT_NAME + PATH_INFO; the raw target
    # only where it says more (issue 17: a query outside REQUEST_URI was not inspected).
    e = engine()

    def target(**env):
        return e.wsgi_target({"REQUEST_METHOD": "GET", **env})

    # Werkzeug's test client with `query_string=`: the raw target has no query.
    assert target(PATH_INFO="/api", QUERY_STRING="q=1", REQUEST_URI="/api") == ("/api", "q=1")
    # A server's raw target and QUERY_STRING agree: taken once (no pair seen twice).
    assert target(PATH_INFO="/a/b", QUERY_STRING="x=1&y=2", RAW_URI="/a%2Fb?x=1&y=2") == (
        "/a%2Fb", "x=1&y=2")
    # A middleware rewrote QUERY_STRING: both, each pair once.
    assert target(PATH_INFO="/a", QUERY_STRING="q=2&k=1", REQUEST_URI="/a?q=1&k=1") == (
        "/a", "q=2&k=1&q=1")
    # A middleware rewrote PATH_INFO: the path the router uses.
    assert target(SCRIPT_NAME="/app", PATH_INFO="/admin", REQUEST_URI="/app/public") == (
        "/app/admin", "")
    # Absolute-form targets, and no parsed path at all.
    assert target(PATH_INFO="/x", QUERY_STRING="", RAW_URI="http://h/x") == ("/x", "")
    assert target(RAW_URI="/only?raw=1") == ("/only", "raw=1")
    # PEP 3333 strings (one character per byte) and decoded text (Django under ASGI).
    assert target(PATH_INFO="/caf\u00c3\u00a9", QUERY_STRING="q=caf\u00c3\u00a9") == (
        "/caf%C3%A9", "q=caf%C3%A9")
    assert target(PATH_INFO="/caf\u00e9", QUERY_STRING="") == ("/caf%C3%A9", "")
