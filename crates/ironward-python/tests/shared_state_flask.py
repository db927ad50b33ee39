"""A Flask app protected by FlaskRASP with its state on Redis, served by gunicorn with several
workers in test_shared_state.py. The parameters come from IRONWARD_TEST_PARAMS (JSON)."""

import json
import os

from flask import Flask

from ironward import FlaskRASP

app = Flask(__name__)


@app.route("/")
def index():
    return "home"


@app.route("/pid")
def pid():
    return str(os.getpid())


@app.route("/state")
def state():
    return f"{os.getpid()} {rasp.engine.shared_state}"


rasp = FlaskRASP(app, params=json.loads(os.environ["IRONWARD_TEST_PARAMS"]))
