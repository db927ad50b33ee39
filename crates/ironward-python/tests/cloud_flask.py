"""A Flask app protected by FlaskRASP and managed by ``ironward server`` (test_cloud.py):
the cloud URL and key come from IRONWARD_CLOUD_URL and IRONWARD_KEY, the local parameters
from IRONWARD_TEST_PARAMS (JSON). Served by gunicorn with several workers."""

import json
import os

from flask import Flask, jsonify

from ironward import FlaskRASP

app = Flask(__name__)


@app.route("/")
def index():
    return "home"


@app.route("/cloud")
def cloud():
    return jsonify(pid=os.getpid(), cloud=rasp.cloud_status(),
                   block_status=rasp.get_config()["BLACKLIST_STATUS_CODE"])


rasp = FlaskRASP(app, params=json.loads(os.environ["IRONWARD_TEST_PARAMS"]))
