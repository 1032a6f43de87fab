"""Headers set by an app-wide dependency: they never reach 404s, 405s or preflights."""

import asyncio
import time
import uuid
from typing import Any

from fastapi import Depends, FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware


async def stamp(request: Request, response: Response):
    started = time.perf_counter()
    response.headers["X-Request-ID"] = request.headers.get("x-request-id") or str(uuid.uuid4())
    yield
    response.headers["X-Process-Time"] = f"{time.perf_counter() - started:.6f}"


app = FastAPI(dependencies=[Depends(stamp)])
app.add_middleware(
    CORSMiddleware,
    allow_origins=["https://app.example.com"],
    allow_credentials=True,
    allow_methods=["GET", "POST"],
    allow_headers=["Content-Type", "X-Request-ID"],
    expose_headers=["X-Request-ID", "X-Process-Time"],
)


@app.get("/ping")
def ping():
    return {"message": "pong"}


@app.get("/slow")
async def slow():
    await asyncio.sleep(0.5)
    return {"message": "done"}


@app.post("/echo")
def echo(body: dict[str, Any]):
    return {"echo": body}
