"""A small FastAPI app protected by FastApiRASP, served by uvicorn in test_uvicorn.py."""

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, Response, StreamingResponse

from ironward import FastApiRASP

CARD = "4111111111111111"

app = FastAPI()


@app.get("/")
async def index():
    return PlainTextResponse("home")


@app.post("/echo")
async def echo(request: Request):
    return Response(await request.body(), media_type="application/json")


@app.get("/leak")
async def leak():
    return PlainTextResponse(f"card {CARD}")


@app.get("/stream")
async def stream():
    async def gen():
        yield "first\n"
        yield f"card {CARD} end\n"
        yield "last\n"
    return StreamingResponse(gen(), media_type="text/plain")


rasp = FastApiRASP(app, params={"VERBOSE": 10, "SECURITY_CHECKS.dlp": 1, "DLP_CC_NUMBERS": True})
