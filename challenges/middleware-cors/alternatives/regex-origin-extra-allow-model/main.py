import asyncio
from time import perf_counter
from uuid import uuid4

from fastapi import FastAPI, Request
from pydantic import BaseModel, ConfigDict
from starlette.middleware.cors import CORSMiddleware


class AnyObject(BaseModel):
    """Any JSON object: every key is kept as an extra field."""

    model_config = ConfigDict(extra="allow")


app = FastAPI()
# CORS first: the two middlewares declared below wrap it, so preflights get their headers too.
app.add_middleware(
    CORSMiddleware,
    allow_origin_regex=r"https://app\.example\.com",
    allow_credentials=True,
    allow_methods=["GET", "POST"],
    allow_headers=["Content-Type", "X-Request-ID"],
    expose_headers=["X-Request-ID", "X-Process-Time"],
)


@app.middleware("http")
async def add_request_id(request: Request, call_next):
    rid = request.headers.get("X-Request-ID")
    response = await call_next(request)
    response.headers["X-Request-ID"] = rid if rid else f"{uuid4()}"
    return response


@app.middleware("http")
async def add_process_time(request: Request, call_next):
    t0 = perf_counter()
    response = await call_next(request)
    response.headers["X-Process-Time"] = "%.5f" % (perf_counter() - t0)
    return response


@app.get("/ping")
async def ping():
    return {"message": "pong"}


@app.get("/slow")
async def slow():
    await asyncio.sleep(0.5)
    return {"message": "done"}


@app.post("/echo")
async def echo(payload: AnyObject):
    return {"echo": payload.model_dump()}
