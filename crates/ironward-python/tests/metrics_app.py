"""A FastAPI app protected by FastApiRASP with the metrics route on, served by uvicorn in
test_metrics.py."""

from fastapi import FastAPI
from fastapi.responses import PlainTextResponse

from ironward import FastApiRASP

app = FastAPI()


@app.get("/")
async def index():
    return PlainTextResponse("home")


@app.get("/search")
async def search(q: str = ""):
    return PlainTextResponse("results")


FastApiRASP(app, params={"VERBOSE": 0, "METRICS_PATH": "/metrics"})
