"""FlaskRASP through Flask's own test client."""

import hashlib
import io
import json

import pytest
from flask import Flask, Response, jsonify, request, stream_with_context

import ironward
from ironward import ConfigError, Engine, FlaskRASP

from conftest import ATTACK_QUERY, CARD, JNDI, SSRF_JSON, TOKEN, TRAVERSAL_FORM, params


def make_app():
    app = Flask(__name__)

    @app.route("/")
    def index():
        return "home"

    @app.route("/search")
    def search():
        return jsonify(q=request.args.getlist("q"), tag=request.args.getlist("tag"))

    @app.route("/json", methods=["POST"])
    def json_echo():
        return jsonify(request.get_json())

    @app.route("/form", methods=["POST"])
    def form_echo():
        return jsonify(request.form.to_dict(flat=False))

    @app.route("/upload", methods=["POST"])
    def upload():
        f = request.files["file"]
        data = f.read()
        return jsonify(name=f.filename, size=len(data), sha=hashlib.sha256(data).hexdigest(),
                       note=request.form.get("note"))

    @app.route("/raw", methods=["POST"])
    def raw():
        data = request.get_data()
        return jsonify(size=len(data), sha=hashlib.sha256(data).hexdigest(),
                       ctype=request.content_type)

    @app.route("/leak")
    def leak():
        return f"your card: {CARD}"

    @app.route("/stream")
    def stream():
        def gen():
            yield "line one\n"
            yield "line two\n"
            yield f"token {TOKEN} end\n"
            yield "line four\n"
        return Response(stream_with_context(gen()), mimetype="text/plain")

    @app.route("/file")
    def file():
        from flask import send_file
        data = b"statement\n" + f"card {CARD}\n".encode()
        return send_file(io.BytesIO(data), mimetype="text/plain")

    @app.route("/stream-ok")
    def stream_ok():
        def gen():
            for i in range(5):
                yield f"chunk {i}\n"
        return Response(gen(), mimetype="text/plain")

    return app


def client(**extra):
    app = make_app()
    rasp = FlaskRASP(app, params=params(**extra))
    return app.test_client(), rasp


# --- benign requests pass, bodies intact ------------------------------------------------

def test_benign_get_passes():
    c, _ = client()
    r = c.get("/")
    assert r.status_code == 200 and r.data == b"home"


def test_benign_query_and_hpp_arrays_pass():
    c, _ = client()
    r = c.get("/search?q=running+shoes&tag=a&tag=b")
    assert r.status_code == 200
    assert r.get_json() == {"q": ["running shoes"], "tag": ["a", "b"]}


def test_benign_json_body_intact():
    c, _ = client()
    doc = {"item": "shoes", "qty": 2, "note": "select a plan from the menu"}
    r = c.post("/json", json=doc)
    assert r.status_code == 200 and r.get_json() == doc


def test_benign_form_body_intact():
    c, _ = client()
    r = c.post("/form", data={"user": "demo", "tags": ["a", "b"]})
    assert r.status_code == 200
    assert r.get_json() == {"user": ["demo"], "tags": ["a", "b"]}


def test_benign_multipart_upload_intact():
    c, _ = client()
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10
    r = c.post("/upload", data={"file": (io.BytesIO(png), "photo.png"), "note": "hi"},
               content_type="multipart/form-data")
    assert r.status_code == 200
    assert r.get_json() == {"name": "photo.png", "size": len(png),
                            "sha": hashlib.sha256(png).hexdigest(), "note": "hi"}


def test_body_over_the_cap_is_handed_on_whole():
    c, _ = client(MAX_BODY_BYTES=1024, BODY_LIMIT_ACTION="monitor")
    data = b"x" * 5000 + b"end"
    r = c.post("/raw", data=data, content_type="application/octet-stream")
    assert r.status_code == 200
    assert r.get_json()["size"] == len(data)
    assert r.get_json()["sha"] == hashlib.sha256(data).hexdigest()


def test_non_json_body_is_not_parsed_as_json():
    c, _ = client()
    data = b'{"a": "hello"}'
    r = c.post("/raw", data=data, content_type="text/plain")
    assert r.status_code == 200 and r.get_json()["size"] == len(data)


# --- attacks are blocked with the configured response ------------------------------------

def test_attack_in_query_blocked():
    c, _ = client()
    r = c.get("/search?" + ATTACK_QUERY)
    assert r.status_code == 403 and r.data == b"Blocked"


def test_attack_in_json_body_blocked():
    c, _ = client()
    r = c.post("/json", json=SSRF_JSON)
    assert r.status_code == 403


def test_attack_in_form_body_blocked():
    c, _ = client()
    r = c.post("/form", data=TRAVERSAL_FORM)
    assert r.status_code == 403


def test_attack_in_header_blocked():
    c, _ = client()
    r = c.get("/", headers={"User-Agent": JNDI})
    assert r.status_code == 403


def test_attack_in_cookie_blocked():
    c, _ = client()
    c.set_cookie("session", ";cat /etc/passwd")
    r = c.get("/")
    assert r.status_code == 403


def test_php_upload_blocked():
    c, _ = client(**{"SECURITY_CHECKS.upload": 1})
    r = c.post("/upload", data={"file": (io.BytesIO(b"<?php system($_GET['c']); ?>"), "shell.php")},
               content_type="multipart/form-data")
    assert r.status_code == 403


def test_configured_block_response():
    c, _ = client(BLOCK_STATUS_CODE=406, BLOCK_ACTION_CONTENT="Nope",
                  BLACKLIST_STATUS_CODE=429, BLACKLIST_ACTION_CONTENT="Go away",
                  **{"SECURITY_CHECKS.command": 1})
    r = c.get("/search?" + ATTACK_QUERY)
    assert r.status_code == 406 and r.data == b"Nope"
    assert r.headers["Content-Type"].startswith("text/html")


def test_configured_redirect():
    c, _ = client(BLOCK_ACTION="redirect", BLOCK_STATUS_CODE=302,
                  BLOCK_ACTION_CONTENT="https://example.com/blocked",
                  **{"SECURITY_CHECKS.command": 1})
    r = c.get("/search?" + ATTACK_QUERY)
    assert r.status_code == 302
    assert r.headers["Location"] == "https://example.com/blocked"


def test_level_2_blacklists_the_client():
    c, rasp = client()
    assert c.get("/search?" + ATTACK_QUERY).status_code == 403
    assert rasp.get_blacklist() == ["127.0.0.1"]
    assert c.get("/").status_code == 403  # harmless, but blacklisted


def test_unknown_route_and_method():
    c, _ = client()
    r = c.get("/no-such-page")
    assert r.status_code == 404
    r = c.delete("/")
    assert r.status_code == 405  # method check off by default: Flask answers itself
    c2, _ = client(**{"SECURITY_CHECKS.method": 1})
    assert c2.delete("/").status_code == 405


def test_decoy_blocked():
    c, _ = client()
    assert c.get("/.env").status_code == 403


# --- forwarded headers only from trusted proxies ----------------------------------------

def test_forwarded_for_ignored_from_untrusted_peer():
    c, rasp = client()
    c.get("/search?" + ATTACK_QUERY, headers={"X-Forwarded-For": "203.0.113.5"})
    assert rasp.get_blacklist() == ["127.0.0.1"]


def test_forwarded_for_used_from_trusted_proxy():
    c, rasp = client(TRUSTED_PROXIES=["127.0.0.1/32"])
    c.get("/search?" + ATTACK_QUERY, headers={"X-Forwarded-For": "203.0.113.5"})
    assert rasp.get_blacklist() == ["203.0.113.5"]
    assert c.get("/").status_code == 200  # the proxy itself is not blacklisted


# --- monitor mode -------------------------------------------------------------------------

def test_monitor_mode_passes_and_reports(capfd):
    app = make_app()
    FlaskRASP(app, template="monitor", params={"VERBOSE": 10, "SECURITY_CHECKS.path": 3})
    c = app.test_client()
    r = c.get("/search?" + ATTACK_QUERY)
    assert r.status_code == 200
    err = capfd.readouterr().err
    assert "[!] Command Injection: qs_values -> ;cat /etc/passwd" in err
    assert c.get("/").status_code == 200  # not blacklisted


# --- responses -----------------------------------------------------------------------------

def test_card_number_in_response_blocked():
    c, _ = client()
    r = c.get("/leak")
    assert r.status_code == 403 and CARD.encode() not in r.data


def test_streamed_secret_is_cut():
    c, _ = client()
    r = c.get("/stream")
    assert r.status_code == 200
    assert r.data == b"line one\nline two\n"


def test_send_file_leak_is_cut():
    c, _ = client()
    r = c.get("/file")
    assert CARD.encode() not in r.data


def test_clean_stream_passes_whole():
    c, _ = client()
    r = c.get("/stream-ok")
    assert r.data == b"".join(f"chunk {i}\n".encode() for i in range(5))


def test_server_header():
    c, _ = client()
    assert c.get("/").headers["Server"] == "Apache"
    assert c.get("/search?" + ATTACK_QUERY).headers["Server"] == "Apache"
    c2, _ = client(SERVER_HEADER="Shop")
    assert c2.get("/").headers["Server"] == "Shop"
    c3, _ = client(CHANGE_SERVER=False)
    assert "Server" not in c3.get("/").headers


# --- configuration, API, errors ------------------------------------------------------------

def test_invalid_config_raises_at_construction():
    app = make_app()
    with pytest.raises(ConfigError) as info:
        FlaskRASP(app, params={"BLOCK_STATUS_CODE": "x", "NO_SUCH_KEY": 1})
    assert isinstance(info.value, ValueError)
    assert len(info.value.errors) == 2
    assert "BLOCK_STATUS_CODE" in str(info.value) and "NO_SUCH_KEY" in str(info.value)


def test_invalid_config_file_raises(tmp_path):
    p = tmp_path / "rasp.json"
    p.write_text('{"BLOCK_STATUS_CODE": 99}')
    with pytest.raises(ConfigError):
        FlaskRASP(make_app(), conf=str(p))


def test_config_file_and_env(tmp_path, monkeypatch):
    p = tmp_path / "rasp.json"
    p.write_text(json.dumps({"config": {"BLOCK_STATUS_CODE": 418, "VERBOSE": 0,
                                         "SECURITY_CHECKS.command": 1}}))
    monkeypatch.setenv("PYRASP_CONF", str(p))
    app = make_app()
    rasp = FlaskRASP(app)
    assert rasp.get_config()["BLOCK_STATUS_CODE"] == 418
    assert rasp.get_status()["config"] == "Local"
    assert app.test_client().get("/search?" + ATTACK_QUERY).status_code == 418


def test_init_app_and_routes():
    app = make_app()
    rasp = FlaskRASP(params=params())
    rasp.init_app(app)
    routes = rasp.get_routes()
    assert routes["json_echo"] == {"methods": ["OPTIONS", "POST"], "path": "/json"}
    assert app.test_client().get("/.env").status_code == 403


def test_status_config_and_set_config():
    c, rasp = client()
    s = rasp.get_status()
    assert s["version"] == ironward.__version__ and s["blacklist"] == 0
    assert rasp.get_config()["SERVER_HEADER"] == "Apache"
    c.get("/search?" + ATTACK_QUERY)
    res = rasp.set_config({"SERVER_HEADER": "Shop", "NOT_A_KEY": 1, "SECURITY_CHECKS.command": 3,
                           "SECURITY_CHECKS.path_traversal": 3})
    assert res == {"success": ["SERVER_HEADER", "SECURITY_CHECKS.command",
                               "SECURITY_CHECKS.path_traversal"], "fail": ["NOT_A_KEY"]}
    assert rasp.get_config()["SERVER_HEADER"] == "Shop"
    assert rasp.get_blacklist() == ["127.0.0.1"]  # kept across reconfiguration
    rasp.blacklist_remove("127.0.0.1")
    r = c.get("/search?" + ATTACK_QUERY)
    assert r.status_code == 200 and r.headers["Server"] == "Shop"


def test_key_and_cloud_url_start_the_agent_in_the_background():
    # An unresolvable server: the constructor does not wait, the app runs locally
    # (test_cloud.py runs the agent against a real ironward server).
    rasp = FlaskRASP(make_app(), params=params(), key="k", cloud_url="https://x.invalid")
    try:
        assert rasp.cloud_status()["running"] and rasp.get_status()["config"] != "Cloud"
    finally:
        rasp.stop_cloud()


def test_banner(capfd):
    FlaskRASP(make_app())
    err = capfd.readouterr().err
    assert "[+] Starting Ironward" in err and "[+] Ironward successfully started" in err
    FlaskRASP(make_app(), params={"VERBOSE": 0})
    assert capfd.readouterr().err == ""


def test_native_internal_error_fails_open(capfd):
    c, rasp = client()
    rasp._engine = Engine(params=json.dumps(params()), _fault=True)
    r = c.get("/search?" + ATTACK_QUERY)
    assert r.status_code == 200
    assert "Ironward internal error (allow)" in capfd.readouterr().err


def test_native_internal_error_fails_closed_when_configured():
    c, rasp = client()
    rasp._engine = Engine(params=json.dumps(params(FAIL_OPEN=False)), _fault=True)
    assert c.get("/").status_code == 403


def test_python_layer_error_fails_open(monkeypatch):
    c, rasp = client()

    def boom(environ):
        raise RuntimeError("boom")

    monkeypatch.setattr(rasp, "read_wsgi_body", boom)
    assert c.post("/raw", data=b"abc").status_code == 200
    rasp.set_config({"FAIL_OPEN": False})
    assert c.post("/raw", data=b"abc").status_code == 403
