"""The differential cases (test_differential.py): requests whose raw form and parsed form
disagree, each carrying an attack in the form the handler reads it.

A case is ``Case(name, build, needle, status)``: ``build(adapter)`` gives the :class:`Req`
(most cases send the same request to every adapter), ``needle`` is the attack as the handler
reads it (the echo must show it in the control run), ``status`` what the blocked request
gets (403; 413 for a body over ``MAX_BODY_BYTES``).
"""

import base64
import gzip
import json
from dataclasses import dataclass
from typing import Callable
from urllib.parse import quote

from _differential import Req

SQLI = "1' UNION SELECT password FROM users--"
# In a cookie name: no spaces (cookie parsers stop at them), still SQL injection.
SQLI_NAME = "1'/**/UNION/**/SELECT/**/password/**/FROM/**/users--"
TRAVERSAL = "../../../../etc/passwd"
MIB = 1024 * 1024
PAD = "x" * (MIB + MIB // 10)  # past the default MAX_BODY_BYTES (1 MiB)

FORM = "application/x-www-form-urlencoded"


@dataclass
class Case:
    name: str
    build: Callable[[str], Req]
    needle: str = SQLI
    status: int = 403


def same(req):
    return lambda adapter: req


def utf7(text):
    """``text`` in UTF-7 with every character base64-encoded (``+…-``): no attack byte is
    left in the clear."""
    return "+" + base64.b64encode(text.encode("utf-16-be")).decode().rstrip("=") + "-"


def multipart(parts, boundary="XyZb0undary"):
    """A multipart body from ``[(headers, content bytes)]``."""
    out = b""
    for headers, content in parts:
        out += f"--{boundary}\r\n".encode()
        out += "".join(f"{h}\r\n" for h in headers).encode("latin-1") + b"\r\n"
        out += content + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


def mp_req(parts, ctype=None, boundary="XyZb0undary", **kw):
    body = multipart(parts, boundary)
    return Req("POST", "/echo", [("Content-Type", ctype or
                                  f"multipart/form-data; boundary={boundary}")], body, **kw)


def field(name, value, *extra):
    return ([f'Content-Disposition: form-data; name="{name}"', *extra],
            value if isinstance(value, bytes) else value.encode())


Q = quote(SQLI)

CASES = [
    # The query given apart from the raw target (Werkzeug's `query_string=`, Django's
    # client `data=`, Starlette's `params=`; for events, the parsed-parameter field only).
    Case("query_apart", same(Req(query_apart={"q": SQLI}))),
    # QUERY_STRING rewritten (a WSGI middleware) while the raw target keeps another query.
    Case("query_rewritten", same(Req(target="/echo?q=benign", query_override="q=" + Q))),
    # The raw path the server reports differs from the parsed path the router uses.
    Case("raw_path", same(Req(target="/p/" + Q, raw_decoy="/p/benign"))),
    # Repeated parameters, attack first / last (frameworks keep one or the other, or both).
    Case("repeat_first", same(Req(target=f"/echo?q={Q}&q=1"))),
    Case("repeat_last", same(Req(target=f"/echo?q=1&q={Q}"))),
    Case("repeat_form_last", same(Req("POST", "/echo", [("Content-Type", FORM)],
                                      f"q=1&q={Q}".encode()))),
    # Duplicate headers, attack first / last.
    Case("dup_header_first", same(Req(headers=[("X-Test", SQLI), ("X-Test", "benign")]))),
    Case("dup_header_last", same(Req(headers=[("X-Test", "benign"), ("X-Test", SQLI)]))),
    # JSON: duplicate keys (Python keeps the last), a UTF-8 BOM.
    Case("json_dup_keys", same(Req("POST", "/echo", [("Content-Type", "application/json")],
                                   ('{"q": "benign", "q": %s}' % json.dumps(SQLI)).encode()))),
    Case("json_bom", same(Req("POST", "/echo", [("Content-Type", "application/json")],
                              b"\xef\xbb\xbf" + json.dumps({"q": SQLI}).encode()))),
    # A gzip request body (aiohttp inflates it).
    Case("gzip_json", same(Req("POST", "/echo", [("Content-Type", "application/json"),
                                                 ("Content-Encoding", "gzip")],
                               gzip.compress(json.dumps({"q": SQLI}).encode())))),
    # Chunked bodies (real servers).
    Case("chunked_form", same(Req("POST", "/echo", [("Content-Type", FORM)],
                                  f"q={Q}".encode(), chunked=True))),
    Case("chunked_json", same(Req("POST", "/echo", [("Content-Type", "application/json")],
                                  json.dumps({"q": SQLI}).encode(), chunked=True))),
    # Path normalisation: the path parameter the handler reads.
    Case("path_dot_encoded", same(Req(target="/p/" + "%2e%2e/" * 4 + "etc/passwd")),
         TRAVERSAL),
    Case("path_slash_encoded", same(Req(target="/p/" + "..%2f" * 4 + "etc%2fpasswd")),
         TRAVERSAL),
    Case("path_double_slash", same(Req(target="/p/x//" + "../" * 4 + "etc/passwd")),
         TRAVERSAL),
    Case("path_semicolon", same(Req(target="/p/x;q=" + Q))),
    # Cookies: a quoted value with backslash escapes (Python's parsers unescape \X to X), an
    # attack in a cookie name.
    Case("cookie_quoted_escapes", same(Req(headers=[
        ("Cookie", 'a="1\' \\U\\N\\I\\O\\N \\S\\E\\L\\E\\C\\T password FROM users--"')]))),
    Case("cookie_name", same(Req(headers=[("Cookie", f"{SQLI_NAME}=1")])), SQLI_NAME),
    # Multipart parts the engine could take for files but the framework reads as fields.
    Case("mp_two_dispositions", same(mp_req([(
        ['Content-Disposition: form-data; name="q"',
         'Content-Disposition: form-data; name="f"; filename="a.txt"'], SQLI.encode())]))),
    Case("mp_filename_empty_quoted", same(mp_req([(
        ['Content-Disposition: form-data; name="q"; filename=""'], SQLI.encode())]))),
    Case("mp_filename_empty", same(mp_req([(
        ['Content-Disposition: form-data; name="q"; filename='], SQLI.encode())]))),
    Case("mp_filename_star_empty", same(mp_req([(
        ["Content-Disposition: form-data; name=\"q\"; filename*="], SQLI.encode())]))),
    Case("mp_filename_star_malformed", same(mp_req([(
        ["Content-Disposition: form-data; name=\"q\"; filename*=x"], SQLI.encode())]))),
    # Backslash escapes in a part's quoted parameters (Werkzeug unescapes `\X` to `X`): an
    # attack in a field name, a traversal in a file name.
    Case("mp_name_escapes", same(mp_req([(
        ['Content-Disposition: form-data; name="%s"' % "".join("\\" + c for c in SQLI)],
        b"1")]))),
    Case("mp_filename_escapes", same(mp_req([(
        ['Content-Disposition: form-data; name="f"; filename="%s"'
         % "".join("\\" + c for c in TRAVERSAL)], b"data")])), TRAVERSAL),
    # Two boundaries (frameworks take the first or the last), boundary*=.
    Case("mp_two_boundaries_first", same(mp_req(
        [field("q", SQLI)], f"multipart/form-data; boundary=XyZb0undary; boundary=decoy"))),
    Case("mp_two_boundaries_last", same(mp_req(
        [field("q", SQLI)], f"multipart/form-data; boundary=decoy; boundary=XyZb0undary"))),
    Case("mp_boundary_star", same(mp_req(
        [field("q", SQLI)],
        "multipart/form-data; boundary=decoy; boundary*=utf-8''XyZb0undary"))),
    # Declared charsets.
    Case("form_utf7", same(Req("POST", "/echo", [("Content-Type", FORM + "; charset=utf-7")],
                               b"q=" + quote(utf7(SQLI)).encode()))),
    Case("form_utf16", same(Req("POST", "/echo",
                                [("Content-Type", FORM + "; charset=utf-16-le")],
                                ("q=" + SQLI).encode("utf-16-le")))),
    Case("json_utf7", same(Req("POST", "/echo",
                               [("Content-Type", "application/json; charset=utf-7")],
                               ('{"q": "%s"}' % utf7(SQLI)).encode()))),
    Case("json_utf16", same(Req("POST", "/echo",
                                [("Content-Type", "application/json; charset=utf-16-le")],
                                json.dumps({"q": SQLI}).encode("utf-16-le")))),
    Case("mp_utf7", same(mp_req([field("q", utf7(SQLI))],
                                "multipart/form-data; boundary=XyZb0undary; charset=utf-7"))),
    Case("mp_part_utf7", same(mp_req([field("q", utf7(SQLI),
                                            "Content-Type: text/plain; charset=utf-7")]))),
    Case("mp_part_utf16", same(mp_req([field("q", SQLI.encode("utf-16-le"),
                                             "Content-Type: text/plain; charset=utf-16-le")]))),
    Case("mp_part_qp", same(mp_req([field("q", SQLI.replace("'", "=27").replace(" ", "=20"),
                                          "Content-Transfer-Encoding: quoted-printable")]))),
    Case("mp_part_base64", same(mp_req([field("q", base64.b64encode(SQLI.encode()),
                                              "Content-Transfer-Encoding: base64")]))),
    Case("query_charset_utf7", same(Req(target="/echo?q=" + quote(utf7(SQLI)),
                                        headers=[("Content-Type",
                                                  "text/plain; charset=utf-7")]))),
    # JSON under another type, or none, read by the force/loads readers.
    Case("json_as_text", same(Req("POST", "/echo", [("Content-Type", "text/plain")],
                                  json.dumps({"q": SQLI}).encode()))),
    Case("json_no_type", same(Req("POST", "/echo", [], json.dumps({"q": SQLI}).encode()))),
    # The payload after the first MAX_BODY_BYTES: 413 with the default BODY_LIMIT_ACTION.
    Case("over_cap_json", same(Req("POST", "/echo", [("Content-Type", "application/json")],
                                   json.dumps({"pad": PAD, "q": SQLI}).encode())), status=413),
    Case("over_cap_form", same(Req("POST", "/echo", [("Content-Type", FORM)],
                                   f"pad={PAD}&q={Q}".encode())), status=413),
    Case("over_cap_multipart", same(mp_req([
        (['Content-Disposition: form-data; name="pad"; filename="pad.bin"'], PAD.encode()),
        field("q", SQLI)])), status=413),
    Case("over_cap_chunked_json", same(Req("POST", "/echo",
                                           [("Content-Type", "application/json")],
                                           json.dumps({"pad": PAD, "q": SQLI}).encode(),
                                           chunked=True)), status=413),
]


# --- serverless events only -------------------------------------------------------------------

def _v1_single_disagrees(event):
    event["multiValueQueryStringParameters"] = {"q": ["benign"]}
    event["queryStringParameters"] = {"q": SQLI}


def _v1_headers_disagree(event):
    event["multiValueHeaders"] = {"X-Test": ["benign"]}
    event["headers"] = {"X-Test": SQLI}


def _v2_cookies_beside_header(event):
    event["headers"]["cookie"] = "a=1"
    event["cookies"] = ['b="%s"' % SQLI.replace('"', '\\"')]


def _azure_params_disagree(kw):
    kw["url"] = "https://fn.azurewebsites.net/echo?q=benign"
    kw["params"] = {"q": SQLI}


EVENT_CASES = [
    Case("lambda_single_qs_disagrees", same(Req(target="/echo?q=benign",
                                                event_patch=_v1_single_disagrees))),
    Case("lambda_headers_disagree", same(Req(event_patch=_v1_headers_disagree))),
    Case("lambda_cookies_beside_header", same(Req(event_patch=_v2_cookies_beside_header))),
    Case("azure_params_disagree", same(Req(event_patch=_azure_params_disagree))),
]

ALL_CASES = {c.name: c for c in CASES + EVENT_CASES}
