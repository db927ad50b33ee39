"""A small Flask app protected by FlaskRASP, served by gunicorn in test_gunicorn.py."""

from flask import Flask, Response, request

from ironward import FlaskRASP

CARD = "4111111111111111"

app = Flask(__name__)


@app.route("/")
def index():
    return "home"


@app.route("/echo", methods=["POST"])
def echo():
    return request.get_data()


@app.route("/leak")
def leak():
    return f"card {CARD}"


@app.route("/stream")
def stream():
    def gen():
        yield "first\n"
        yield f"card {CARD} end\n"
        yield "last\n"
    return Response(gen(), mimetype="text/plain")


rasp = FlaskRASP(app, params={"VERBOSE": 10, "SECURITY_CHECKS.dlp": 1, "DLP_CC_NUMBERS": True})
