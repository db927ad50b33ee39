"""Reading Prometheus text in the metrics suites (test_metrics*.py), with prometheus_client's
parser."""

from prometheus_client.parser import text_string_to_metric_families

#: The Content-Type of the ``METRICS_PATH`` route (text format 0.0.4).
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def parse(text):
    """``{(sample name, frozenset(labels)): value}`` of a Prometheus text."""
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, frozenset(s.labels.items()))] = s.value
    return out


def value(samples, name, **labels):
    """The value of one sample of :func:`parse`'s result."""
    return samples[(name, frozenset(labels.items()))]
