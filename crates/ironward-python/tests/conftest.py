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


def responses_handed(rasp):
    """The statuses of the responses ``rasp`` hands to the engine from now on (a list that
    grows), recorded by a spy around ``rasp.check_response``."""
    handed = []
    check = rasp.check_response

    def spy(verdict, status, *rest):
        handed.append(status)
        return check(verdict, status, *rest)

    rasp.check_response = spy
    return handed


def configure_django():
    """Django's settings for every suite that uses Django (configured once per process):
    test_django.py's URLconf and parameters; other suites override ``ROOT_URLCONF``."""
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure(
            DEBUG=False,
            SECRET_KEY="test",
            ALLOWED_HOSTS=["*"],
            ROOT_URLCONF="test_django",
            MIDDLEWARE=["ironward.DjangoRASP"],
            INSTALLED_APPS=[],
            # An in-memory SQLite database for the ORM sink tests (test_sinks_django_orm.py).
            DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
            IRONWARD_PARAMS=params(),
        )
        django.setup()


@pytest.fixture
def base_params():
    return params()
