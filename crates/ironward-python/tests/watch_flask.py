"""A Flask app protected by FlaskRASP with a configuration file (``conf=``, the path in
IRONWARD_TEST_CONF), for test_config_watch.py: served by gunicorn with two workers, each of
which watches the file and applies its changes."""

import os

from flask import Flask, jsonify

from ironward import FlaskRASP

app = Flask(__name__)


@app.route("/")
def index():
    return "home"


@app.route("/watch")
def watch():
    return jsonify(pid=os.getpid(), xss=rasp.get_config()["SECURITY_CHECKS"]["xss"],
                   watch=rasp.config_watch_status())


rasp = FlaskRASP(app, conf=os.environ["IRONWARD_TEST_CONF"], params={"VERBOSE": 0})
