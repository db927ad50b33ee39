"""A FastAPI app protected by FastApiRASP and managed by ``ironward server`` (test_cloud.py):
the cloud URL and key come from IRONWARD_CLOUD_URL and IRONWARD_KEY, the local parameters
from IRONWARD_TEST_PARAMS (JSON). Served by uvicorn with several workers."""

import json
import os

from fastapi import FastAPI
from fastapi.responses import JSONResponse, PlainTextResponse

from ironward import FastApiRASP

app = FastAPI()


@app.get("/")
async def index():
    return PlainTextResponse("home")


@app.get("/cloud")
async def cloud():
    return JSONResponse({"pid": os.getpid(), "cloud": rasp.cloud_status(),
                         "block_status": rasp.get_config()["BLACKLIST_STATUS_CODE"]})


rasp = FastApiRASP(app, params=json.loads(os.environ["IRONWARD_TEST_PARAMS"]))
