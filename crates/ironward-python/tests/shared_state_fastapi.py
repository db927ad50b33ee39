"""A FastAPI app protected by FastApiRASP with its state on Redis, served by uvicorn with several
workers in test_shared_state.py. The parameters come from IRONWARD_TEST_PARAMS (JSON)."""

import json
import os

from fastapi import FastAPI
from fastapi.responses import PlainTextResponse

from ironward import FastApiRASP

app = FastAPI()


@app.get("/")
async def index():
    return PlainTextResponse("home")


@app.get("/pid")
async def pid():
    return PlainTextResponse(str(os.getpid()))


@app.get("/state")
async def state():
    return PlainTextResponse(f"{os.getpid()} {rasp.engine.shared_state}")


rasp = FastApiRASP(app, params=json.loads(os.environ["IRONWARD_TEST_PARAMS"]))
