"""An unmodified pyrasp 0.10.2 agent and an Ironward agent on one application of one real
``ironward server`` share their blacklists both ways (issue 14, "blacklisted once, blacklisted
everywhere" across implementations).

The pyrasp agent is ``scripts/pyrasp-agent.sh run`` (a Flask app behind pyrasp's FlaskRASP,
CPython 3.12, venv ``PYRASP_VENV`` or ``target/pyrasp-venv``, created by the script when
missing); the Ironward agent is ``cloud_flask.py`` under gunicorn (this package, the Rust agent
of ``ironward-cloud-client``), on the application ``shop``, which beacons every second with
``BLACKLIST_SHARE``. An IP the pyrasp agent blacklists after a SQL injection (the client address
is the first ``X-Forwarded-For``, which pyrasp trusts; the Ironward app trusts it from
127.0.0.1) reaches the server on pyrasp's next beacon and is refused by the Ironward agent after
its own next beacon; an IP the Ironward agent blacklists is refused by pyrasp the same way. Run
with two keys, and with both agents on one key (the server tracks a pyrasp process per key, ours
per instance id). Without CPython 3.12 the test skips; in CI it fails.

The chaos test with pyrasp agents (server killed and restarted) is in scripts/test-pyrasp-agent.sh;
this package's own chaos test is in test_cloud.py."""

import os
import subprocess
import time

import pytest

from _servers import free_port, serving
from test_cloud import REPO, SQLI, app_server, cloud, cloud_view, fresh_ip, get, wait_for  # noqa: F401

SCRIPT = os.path.join(REPO, "scripts", "pyrasp-agent.sh")


def pyrasp_ready():
    """Creates the pyrasp venv if needed (scripts/pyrasp-agent.sh setup); skips without 3.12."""
    done = subprocess.run(["bash", SCRIPT, "setup"], capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the pyrasp interop test: " + done.stderr)
        pytest.skip("pyrasp 0.10.2 needs CPython 3.12: " + done.stderr.strip())


def pyrasp_agent(url, key):
    port = free_port()
    return serving("pyrasp", ["bash", SCRIPT, "run", url, key, str(port)], port, timeout=60)


@pytest.mark.parametrize("keys", ["two keys", "one key"])
def test_pyrasp_and_ironward_agents_share_the_blacklist_both_ways(cloud, keys):  # noqa: F811
    pyrasp_ready()
    # The flood check (50 requests a minute per IP in both) would also refuse an IP polled for
    # long enough: out of the way, so that a 403 below can only be the shared blacklist.
    cloud.config_set("FLOOD_RATIO=100000")
    pyrasp_key = cloud.key()
    # One key: the server tracks the pyrasp process per key and ours per instance id.
    ironward_key = pyrasp_key if keys == "one key" else cloud.key()
    with pyrasp_agent(cloud.connect_url, pyrasp_key) as (pyrasp, _), \
            app_server("gunicorn", cloud.connect_url, ironward_key) as ironward:
        # pyrasp connected in its constructor (before it served); ours in the background.
        wait_for("the Ironward agent connected", lambda: cloud_view(ironward)["cloud"]["connected"])
        connected = [r for r in cloud.agents() if r["connected_at"]]
        assert len(connected) == (2 if keys == "two keys" else 1), connected

        # 1. pyrasp blacklists an attacker: the Ironward agent refuses it.
        attacker = fresh_ip()
        assert get(ironward, "/", attacker) == 200
        started = time.time()
        assert get(pyrasp, SQLI, attacker) == 403
        wait_for("the IP pyrasp blacklisted refused by the Ironward agent",
                 lambda: get(ironward, "/", attacker) == 403, timeout=15)
        pyrasp_to_ironward = time.time() - started

        # 2. The Ironward agent blacklists an attacker: pyrasp refuses it.
        attacker = fresh_ip()
        assert get(pyrasp, "/", attacker) == 200
        started = time.time()
        assert get(ironward, SQLI, attacker) == 403
        wait_for("the IP the Ironward agent blacklisted refused by pyrasp",
                 lambda: get(pyrasp, "/", attacker) == 403, timeout=15)
        ironward_to_pyrasp = time.time() - started

        # Innocent clients are still served by both.
        assert get(pyrasp, "/") == 200 and get(ironward, "/") == 200
        # Both agents beaconed, with telemetry (pyrasp's counters include its attack).
        beaconed = [r for r in cloud.agents() if r["last_beacon_at"]]
        assert len(beaconed) == len(connected), beaconed
        assert sum(r["requests_attacks"] or 0 for r in beaconed) >= 2, beaconed
        print(f"{keys}: pyrasp -> ironward {pyrasp_to_ironward:.2f} s, "
              f"ironward -> pyrasp {ironward_to_pyrasp:.2f} s (BEACON_DELAY 1)")
