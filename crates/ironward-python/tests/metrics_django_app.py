"""A Django project in one module, protected by DjangoRASP with the metrics route on and the
loopback as a trusted proxy, served by gunicorn in test_metrics_adapters.py
(``gunicorn metrics_django_app:application``)."""

import django
from django.conf import settings
from django.http import HttpResponse
from django.urls import path

settings.configure(
    DEBUG=False,
    SECRET_KEY="test",
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=["ironward.DjangoRASP"],
    INSTALLED_APPS=[],
    IRONWARD_PARAMS={
        "VERBOSE": 0,
        "METRICS_PATH": "/metrics",
        # The test client is the loopback: with it trusted, X-Forwarded-For names the client,
        # so the test can be a client outside METRICS_ALLOW.
        "TRUSTED_PROXIES": ["127.0.0.1"],
    },
)
django.setup()


def index(request):
    return HttpResponse("home")


def search(request):
    return HttpResponse("results")


urlpatterns = [path("", index), path("search", search)]

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
