"""The differential table: for every Python adapter, requests whose raw form and parsed form
disagree, each carrying an attack in the form the handler reads (issue 17).

Each (case, adapter) pair in ``READS`` is a real case: the control run (the RASP in monitor
mode) shows that the handler reads the payload — the echo apps of ``diff_apps.py`` answer with
everything the framework parsed — and the blocking run (the default template) must answer 403
(413 for a body over ``MAX_BODY_BYTES``: the default ``BODY_LIMIT_ACTION``). Every other pair
is asserted the other way: the framework does not read the payload in that form (it ignores a
charset, keeps the other multipart header, refuses the body…), so the case is not one for that
adapter. ``docs/python.md`` summarises the table.

Adapters: Flask, plain WSGI (``WsgiRASP`` around werkzeug), GCP (functions-framework, sync and
``aio``), Django (sync ``Client``; async: ``AsyncClient`` or its ASGI handler), ASGI
(Starlette under ``AsgiRASP``), FastAPI, aiohttp (its test server, raw HTTP on loopback),
Lambda (REST v1, HTTP API v2, function URLs: events built as API Gateway builds them), Azure
(``HttpRequest`` as the host builds it), and real gunicorn (Flask) and uvicorn (FastAPI) on
loopback, sent raw HTTP/1.1 (chunked bodies, duplicate headers, raw paths as typed).
"""

import pytest

from _differential import CHUNKED, RUNNERS, SERVERS, last_inspection, reads, run_chunked
from diff_cases import ALL_CASES, MIB, SQLI

pytest.importorskip("flask")

# aiohttp warns about the malformed Content-Disposition headers the multipart cases send.
pytestmark = [
    pytest.mark.filterwarnings("ignore::RuntimeWarning:aiohttp.multipart"),
    # The monitor template sets levels of checks that do nothing yet (the bots check).
    pytest.mark.filterwarnings("ignore:ironward configuration:RuntimeWarning"),
]

ADAPTERS = list(RUNNERS)

_WERKZEUG = "flask wsgi gcp gunicorn"
_STARLETTE = "asgi fastapi gcp_aio uvicorn"
_DJANGO = "django django_async"
_LAMBDA = "lambda_v1 lambda_v2 lambda_url"
_ALL = " ".join(ADAPTERS)
# Parsed apart from the raw target: not for the raw-HTTP adapters (the raw target is all a
# client sends them).
_PARSED_APART = f"flask wsgi gcp gcp_aio {_DJANGO} asgi fastapi {_LAMBDA} azure"
_REAL_CHUNKED = "aiohttp gunicorn uvicorn"

# case -> the adapters whose framework reads the payload in that form.
READS = {
    "query_apart": _PARSED_APART,
    "query_rewritten": "flask wsgi gcp django",
    "raw_path": _PARSED_APART,
    "repeat_first": _ALL,
    "repeat_last": _ALL,
    "repeat_form_last": _ALL,
    "dup_header_first": _ALL,
    "dup_header_last": _ALL,
    "json_dup_keys": _ALL,
    # aiohttp, Lambda handlers and Azure's get_json() decode the body to text first: a BOM
    # then fails json.loads.
    "json_bom": f"{_WERKZEUG} {_STARLETTE} {_DJANGO}",
    "gzip_json": "aiohttp",  # the only one that inflates request bodies
    "chunked_form": _REAL_CHUNKED,
    "chunked_json": _REAL_CHUNKED,
    "path_dot_encoded": _ALL,
    "path_slash_encoded": _ALL,
    # httpx (Starlette's TestClient) and Starlette's router normalise it away.
    "path_double_slash": f"flask wsgi gcp gunicorn {_DJANGO} aiohttp {_LAMBDA} azure uvicorn",
    "path_semicolon": _ALL,
    "cookie_quoted_escapes": _ALL,
    # http.cookies (what serverless handlers use) rejects the name.
    "cookie_name": f"{_WERKZEUG} {_STARLETTE} {_DJANGO} aiohttp",
    # Werkzeug and aiohttp keep the first Content-Disposition.
    "mp_two_dispositions": f"{_WERKZEUG} aiohttp azure",
    "mp_filename_empty_quoted": f"{_DJANGO} aiohttp",
    "mp_filename_empty": f"{_WERKZEUG} {_DJANGO} azure",
    "mp_filename_star_empty": f"{_WERKZEUG} {_STARLETTE} {_DJANGO} aiohttp azure",
    "mp_filename_star_malformed": f"{_STARLETTE} aiohttp",
    # Werkzeug and aiohttp unescape backslashes in a part's quoted parameters.
    "mp_name_escapes": f"{_WERKZEUG} aiohttp azure",
    "mp_filename_escapes": f"{_WERKZEUG} aiohttp azure",
    # Django and aiohttp take the first boundary, the others the last.
    "mp_two_boundaries_first": f"{_DJANGO} aiohttp",
    "mp_two_boundaries_last": f"{_WERKZEUG} {_STARLETTE} {_DJANGO} azure",
    "mp_boundary_star": f"{_WERKZEUG} {_DJANGO} azure",
    # Charsets: aiohttp decodes bodies and parts with theirs; Django the multipart fields with
    # the body's, and the query; Starlette (python-multipart) the multipart fields. JSON
    # readers detect UTF-16 themselves.
    "form_utf7": "aiohttp",
    "form_utf16": "aiohttp",
    "json_utf7": "aiohttp",
    "json_utf16": f"{_WERKZEUG} {_STARLETTE} {_DJANGO} aiohttp",
    "mp_utf7": f"{_STARLETTE} {_DJANGO}",
    "mp_part_utf7": "aiohttp",
    "mp_part_utf16": "aiohttp",
    "mp_part_qp": "aiohttp",
    "mp_part_base64": f"{_DJANGO} aiohttp",
    "query_charset_utf7": "django",
    "json_as_text": _ALL,
    "json_no_type": _ALL,
    "over_cap_json": _ALL,
    # Starlette caps a form field at 1 MB.
    "over_cap_form": f"{_WERKZEUG} {_DJANGO} aiohttp {_LAMBDA} azure",
    # Lambda handlers do not parse multipart bodies.
    "over_cap_multipart": f"{_WERKZEUG} {_STARLETTE} {_DJANGO} aiohttp azure",
    "over_cap_chunked_json": _REAL_CHUNKED,
    "lambda_single_qs_disagrees": _LAMBDA,
    "lambda_headers_disagree": "lambda_v1",
    "lambda_cookies_beside_header": "lambda_v2 lambda_url",
    "azure_params_disagree": "azure",
}

# Cases that only mean something for some adapters: the other pairs are not run at all.
ONLY = {
    # A raw-HTTP client has nothing apart from the raw target; the test clients and hosts
    # cannot send a chunked body.
    "query_apart": _PARSED_APART,
    "query_rewritten": "flask wsgi gcp django",  # a WSGI environ's QUERY_STRING
    "raw_path": _PARSED_APART,
    "chunked_form": _REAL_CHUNKED,
    "chunked_json": _REAL_CHUNKED,
    "over_cap_chunked_json": _REAL_CHUNKED,
    "lambda_single_qs_disagrees": _LAMBDA,
    "lambda_headers_disagree": "lambda_v1",  # HTTP APIs have no multi-value headers
    "lambda_cookies_beside_header": "lambda_v2 lambda_url",  # nor REST APIs a cookies array
    "azure_params_disagree": "azure",
}


# Pairs whose blocking waits on the core's extraction: strict xfail, so that a fix makes them
# fail as XPASS and leave the list. Empty: every case in the table is blocked.
CORE_PENDING: dict = {}


def _pairs(applies):
    for name in ALL_CASES:
        only = ONLY.get(name, _ALL).split()
        read = READS[name].split()
        for adapter in ADAPTERS:
            marks = ()
            if applies and (name, adapter) in CORE_PENDING:
                marks = pytest.mark.xfail(reason=CORE_PENDING[name, adapter], strict=True)
            if adapter in only and (adapter in read) == applies:
                yield pytest.param(name, adapter, id=f"{name}-{adapter}", marks=marks)


def _available(adapter):
    if adapter in ("asgi", "fastapi", "gcp_aio", "uvicorn"):
        pytest.importorskip("starlette")
        pytest.importorskip("multipart")
    if adapter == "fastapi":
        pytest.importorskip("fastapi")
    if adapter in ("gcp", "gcp_aio"):
        pytest.importorskip("functions_framework")
    if adapter == "uvicorn":
        pytest.importorskip("uvicorn")
    if adapter == "aiohttp":
        pytest.importorskip("aiohttp")
    if adapter == "azure":
        pytest.importorskip("azure.functions")
    if adapter.startswith("django"):
        pytest.importorskip("django")


@pytest.fixture(scope="module", autouse=True)
def _real_servers():
    yield
    SERVERS.close()


def test_the_table_names_every_case():
    assert set(READS) == set(ALL_CASES)


@pytest.mark.parametrize("name,adapter", list(_pairs(True)))
def test_blocked_where_the_handler_reads_it(name, adapter):
    _available(adapter)
    case = ALL_CASES[name]
    req = case.build(adapter)
    run = RUNNERS[adapter]
    status, echo = run(req, "monitor")
    assert status == 200 and reads(echo, case.needle), (
        f"control: the handler does not read the payload ({status}): {echo}")
    status, echo = run(req, "block")
    assert status == case.status, f"not blocked ({status}): {echo}"


@pytest.mark.parametrize("name,adapter", list(_pairs(False)))
def test_not_a_case_where_the_framework_does_not_read_it(name, adapter):
    _available(adapter)
    case = ALL_CASES[name]
    status, echo = RUNNERS[adapter](case.build(adapter), "monitor")
    assert not reads(echo, case.needle), (
        f"the framework reads this payload ({status}): move the pair into READS")


# --- the body limit: every adapter tells the engine the full length of a body it cut -----------

def _cut(adapter, run):
    _available(adapter)
    req = ALL_CASES["over_cap_json"].build(adapter)
    status, echo = run(req, "monitor")
    assert status == 200 and reads(echo, SQLI)
    body, body_len, _ = last_inspection()
    return req, body, body_len


@pytest.mark.parametrize("adapter", [a for a in ADAPTERS if a not in ("gunicorn", "uvicorn")])
def test_a_cut_body_carries_its_full_length(adapter):
    req, body, body_len = _cut(adapter, RUNNERS[adapter])
    assert len(body) == MIB and body_len == len(req.body)


@pytest.mark.parametrize("adapter", CHUNKED)
def test_a_cut_chunked_body_carries_a_length_past_the_cap(adapter):
    # No Content-Length: the adapter reads past the cap to know the body is longer.
    _, body, body_len = _cut(adapter, lambda req, mode: run_chunked(adapter, req, mode))
    assert len(body) == MIB and body_len > MIB


def test_flask_body_opened_by_another_hook_still_inspected():
    # A before_request hook that runs first and opens the body stream: the adapter inspects
    # Flask's cached read of it, and a cut body still carries its full length.
    import json

    from flask import Flask, jsonify, request

    from ironward import FlaskRASP

    from _differential import MODES, record

    app = Flask("hooked")

    @app.before_request
    def touch():
        request.stream  # noqa: B018 - opens the stream, as body-reading hooks do

    @app.route("/echo", methods=["POST"])
    def echo():
        return jsonify(request.get_json(force=True))

    record(FlaskRASP(app, template=MODES["block"][0], params=MODES["block"][1]))
    c = app.test_client()
    doc = json.dumps({"q": SQLI}).encode()
    assert c.post("/echo", data=doc, content_type="application/json").status_code == 403
    assert c.post("/echo", data=b'{"q": "ok"}', content_type="application/json").json == {
        "q": "ok"}
    big = json.dumps({"pad": "x" * (MIB + 10), "q": "ok"}).encode()
    c.post("/echo", data=big, content_type="application/json")
    body, body_len, _ = last_inspection()
    assert len(body) == MIB and body_len == len(big)
