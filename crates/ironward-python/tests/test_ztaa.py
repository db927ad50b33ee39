"""The ztaa check through FlaskRASP: tokens minted with PyJWT (HS512), as pyrasp's agent does."""

import time

import jwt
import pytest
from flask import Flask

from ironward import ConfigError, FlaskRASP

from conftest import params

KEY_OLD = "old-key-0123456789abcdef0123456789abcdef0123456789abcdef0123456789"
KEY_NEW = "new-key-0123456789abcdef0123456789abcdef0123456789abcdef0123456789"


def make_client(**extra):
    app = Flask(__name__)

    @app.route("/")
    def index():
        return "home"

    FlaskRASP(app, params=params(**{
        "SECURITY_CHECKS.ztaa": 1,
        "ZTAA_KEYS": [KEY_NEW, KEY_OLD],
        "ZTAA_BROWSER_VERSION": True,
        **extra,
    }))
    return app.test_client()


def token(key, alg="HS512", **claims):
    body = {"sub": "alice", "exp": int(time.time()) + 600, "latest": True, "browser": "Firefox"}
    body.update(claims)
    return jwt.encode(body, key, algorithm=alg)


def test_valid_tokens_pass_with_either_key():
    c = make_client()
    for key in (KEY_NEW, KEY_OLD):
        r = c.get("/", headers={"PCB-ZTAA": token(key)})
        assert r.status_code == 200 and r.data == b"home"


@pytest.mark.parametrize("headers", [
    {},
    {"pcb-ztaa": "garbage"},
    {"pcb-ztaa": token("another-key-0123456789abcdef0123456789abcdef0123456789abcdef0123456789")},
    {"pcb-ztaa": token(KEY_NEW, alg="HS256")},
    {"pcb-ztaa": token(KEY_NEW, exp=int(time.time()) - 3600)},
    {"pcb-ztaa": token(KEY_NEW, nbf=int(time.time()) + 3600)},
    {"pcb-ztaa": token(KEY_NEW, latest=False)},
], ids=["missing", "garbage", "wrong-key", "hs256", "expired", "not-yet-valid", "old-browser"])
def test_bad_tokens_are_refused(headers):
    r = make_client().get("/", headers=headers)
    assert r.status_code == 403


def test_tokens_without_exp_need_the_option():
    no_exp = jwt.encode({"sub": "alice", "latest": True}, KEY_NEW, algorithm="HS512")
    assert make_client().get("/", headers={"pcb-ztaa": no_exp}).status_code == 403
    relaxed = make_client(ZTAA_REQUIRE_EXP=False)
    assert relaxed.get("/", headers={"pcb-ztaa": no_exp}).status_code == 200


def test_ztaa_on_without_keys_is_a_config_error():
    with pytest.raises(ConfigError) as info:
        FlaskRASP(Flask(__name__), params=params(**{"SECURITY_CHECKS.ztaa": 1}))
    assert "ZTAA_KEYS is empty" in str(info.value)
