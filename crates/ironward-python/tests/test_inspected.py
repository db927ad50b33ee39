"""Property tests, one per Python adapter: for random requests — parameter names and values
(Unicode included, names repeated), cookies (plain, quoted, with backslash escapes), an
``X-Test`` header, and a form, JSON or multipart body — every value the framework itself
parses (``request.args``/``form``/``cookies``/``get_json(force=True)``, Django's
``GET``/``POST``/``COOKIES`` and ``json.loads(request.body)``, Starlette's ``query_params``,
``await request.form()`` and the body as JSON, aiohttp's ``query``, ``await request.post()``
and ``await request.json()``, the fields of Lambda events and Azure requests) is among the
values the engine inspected in that very request.

The handlers are the echo apps of ``diff_apps.py`` (they answer with what the framework
parsed), with the RASP in monitor mode so that every request reaches them. What the engine
inspected comes from ``Engine.inspected_values``, called with the arguments the adapter gave
the engine for that request (``_differential.Recorder``)."""

import json
import os
import re
from urllib.parse import quote

import pytest

pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from _differential import RUNNERS, SERVERS, Req, last_inspection, strings  # noqa: E402
from test_differential import _available  # noqa: E402

pytestmark = [
    pytest.mark.filterwarnings("ignore::RuntimeWarning:aiohttp.multipart"),
    pytest.mark.filterwarnings("ignore:ironward configuration:RuntimeWarning"),
]

EXAMPLES = settings(max_examples=int(os.environ.get("IRONWARD_PROPERTY_EXAMPLES", "50")), deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])

# Text as people type it (letters, digits, punctuation, spaces, any script), no control
# characters: those are not what this property is about.
TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=12)
NAMES = st.one_of(st.sampled_from(["q", "id", "tag", "name"]), TEXT)
PAIRS = st.lists(st.tuples(NAMES, TEXT), max_size=5)

# Cookies: names are tokens; values plain cookie octets, or quoted with backslash escapes.
TOKEN = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                "!#$%&'*+-.^_`|~"), min_size=1, max_size=8)
OCTETS = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                 "0123456789!#$%&'()*+-./:<=>?@[]^_`{|}~"),
                 min_size=1, max_size=10)
# (A quote followed by `;` inside: see test_quoted_cookie_fragment_ending_in_an_escape.)
QUOTED = st.text(st.sampled_from("abcXYZ019 ';,=()-\\\""), min_size=1, max_size=10).filter(
    lambda s: '";' not in s).map(
    lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"')
COOKIES = st.lists(st.tuples(TOKEN, st.one_of(OCTETS, QUOTED)), max_size=3, unique_by=lambda c: c[0])
HEADER = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7e), min_size=1,
                 max_size=16).map(str.strip).filter(bool)

JSON_VALUES = st.recursive(
    TEXT, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                  st.dictionaries(TEXT, inner, max_size=3)), max_leaves=6)
BODIES = st.one_of(
    st.none(),
    st.tuples(st.just("form"), PAIRS),
    st.tuples(st.just("json"), st.dictionaries(TEXT, JSON_VALUES, min_size=1, max_size=4)),
    st.tuples(st.just("multipart"), PAIRS),
)


PLAIN = re.compile(r"[A-Za-z0-9_.-]+")


def _query(pairs):
    return "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs)


def _multipart(pairs, boundary="pr0pb0undary"):
    out = b""
    for k, v in pairs:
        # Backslashes and quotes escaped (Werkzeug and aiohttp unescape them); no leading `/`
        # or `\\` (aiohttp strips them: `name="/x"` is `x`, which the engine sees within
        # `/x`), nor spaces around it (Django strips them).
        name = "".join(c for c in k if c not in "\r\n").lstrip("/\\").strip() or "n"
        name = name.replace("\\", "\\\\").replace('"', '\\"')
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n"
                f"{v}\r\n").encode()
    return out + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def build(query, cookies, header, body):
    target = "/echo" + ("?" + _query(query) if query else "")
    headers = []
    if cookies:
        headers.append(("Cookie", "; ".join(f"{k}={v}" for k, v in cookies)))
    if header:
        headers.append(("X-Test", header))
    data = b""
    method = "GET"
    if body is not None:
        kind, content = body
        method = "POST"
        if kind == "form":
            data = _query(content).encode()
            headers.append(("Content-Type", "application/x-www-form-urlencoded"))
        elif kind == "json":
            data = json.dumps(content, ensure_ascii=False).encode()
            headers.append(("Content-Type", "application/json"))
        else:
            data, ctype = _multipart(content)
            headers.append(("Content-Type", ctype))
    return Req(method, target, headers, data)


def parsed_values(echo, joined=False):
    """What the framework parsed (names and values), from the echo: not the path. Cookie
    names that are plain tokens (letters, digits, ``_-.``) are left out: the core does not
    inspect those (nothing a detector could fire on). With ``joined`` (hosts that join a
    repeated parameter's values with commas: Azure's ``req.params``, Lambda v2's
    ``queryStringParameters``), a parameter value stands for its comma-separated pieces: the
    engine inspects each value, and the joined one is the ``hpp`` check's business."""
    out = set()
    for key in ("form", "files", "json", "header"):
        out.update(s for s in strings(echo.get(key)) if s)
    for name, values in (echo.get("args") or {}).items():
        if name:
            out.add(name)
        for v in strings(values):
            if v:
                out.add(Joined(v) if joined and "," in v else v)
    for name, value in (echo.get("cookies") or {}).items():
        if name and not PLAIN.fullmatch(name):
            out.add(name)
        out.update(v for v in strings(value) if v)
    return out


class Joined(str):
    """A parameter value a host may have joined from several (``a,b``): inspected when the
    engine saw it whole or saw each comma-separated piece."""

    def inspected(self, seen):
        # Can the value be cut at commas into values the engine saw?
        ends = {0}
        for i in range(1, len(self) + 1):
            if i == len(self) or self[i] == ",":
                if any(self[j:i] in seen or j == i for j in ends):
                    ends.add(i + 1)
        return len(self) + 1 in ends


def missing_from(parsed, seen):
    return sorted(v for v in parsed
                  if not (v.inspected(seen) if isinstance(v, Joined) else v in seen))


def inspected_set(inspected):
    """The values the engine inspected, plus, for a cookie value: its unquoted text when the
    engine kept it in its quotes (the core unquotes only a value with backslash escapes; the
    quoted text is inspected whole, quotes included), and the `;`-separated fragments of it
    (a fragment without `=` is a nameless cookie to Starlette and Django; the core inspects it
    re-joined to the value before it, as the raw text it was)."""
    seen = {value for _, _, value in inspected}
    for loc, _, v in inspected:
        if loc != "cookies":
            continue
        if len(v) >= 2 and v[0] == v[-1] == '"':
            seen.add(v[1:-1])
        if ";" in v:
            seen.update(f.strip() for f in v.split(";"))
    return seen


ADAPTERS = ["flask", "wsgi", "gcp", "gcp_aio", "django", "django_async", "asgi", "fastapi",
            "aiohttp", "lambda_v1", "lambda_v2", "azure"]


@pytest.fixture(scope="module", autouse=True)
def _servers():
    yield
    SERVERS.close()


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_every_value_the_framework_parses_is_inspected(adapter):
    _available(adapter)
    run = RUNNERS[adapter]

    @EXAMPLES
    @given(PAIRS, COOKIES, st.one_of(st.none(), HEADER), BODIES)
    def check(query, cookies, header, body):
        req = build(query, cookies, header, body)
        status, echo = run(req, "monitor")
        assert status == 200 and echo is not None, (status, echo)
        _, _, inspected = last_inspection()
        joined = adapter in ("azure", "lambda_v2")
        missing = missing_from(parsed_values(echo, joined), inspected_set(inspected))
        assert not missing, (f"parsed by the framework, not inspected: {sorted(missing)}; "
                             f"request {req}; inspected {inspected}")

    check()


# Found by this property: a double-quoted cookie value spanning `;` is one cookie to Werkzeug,
# aiohttp and http.cookies (the core splits it there no more).
@pytest.mark.parametrize("adapter", ["flask", "aiohttp"])
def test_quoted_cookie_value_across_a_semicolon(adapter):
    _available(adapter)
    req = Req(headers=[("Cookie", 'a=";x=cat /etc/passwd"')])
    status, echo = RUNNERS[adapter](req, "monitor")
    assert status == 200 and echo["cookies"]["a"] in (";x=cat /etc/passwd",
                                                      [";x=cat /etc/passwd"])
    _, _, inspected = last_inspection()
    assert ";x=cat /etc/passwd" in inspected_set(inspected)


@pytest.mark.parametrize("adapter", ["asgi", "django"])
def test_quoted_cookie_fragment_ending_in_an_escape(adapter):
    _available(adapter)
    req = Req(headers=[("Cookie", '0="0\\";"')])
    status, echo = RUNNERS[adapter](req, "monitor")
    assert status == 200 and echo["cookies"]["0"] == "0\\"
    _, _, inspected = last_inspection()
    assert "0\\" in {v for _, _, v in inspected}
