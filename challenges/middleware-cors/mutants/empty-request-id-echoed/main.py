"""An empty X-Request-ID is echoed as "" instead of being replaced by a new UUID."""

import asyncio
import time
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()

# Middleware added later wraps the earlier ones: CORS is added first so that the request-ID
# middleware below is the outermost layer and also stamps CORS preflight responses.
app.add_middleware(
    CORSMiddleware,
    allow_origins=["https://app.example.com"],
    allow_credentials=True,
    allow_methods=["GET", "POST"],
    allow_headers=["Content-Type", "X-Request-ID"],
    expose_headers=["X-Request-ID", "X-Process-Time"],
)


@app.middleware("http")
async def request_id_and_timing(request: Request, call_next):
    started = time.perf_counter()
    request_id = request.headers.get("x-request-id", str(uuid.uuid4()))
    response = await call_next(request)
    response.headers["X-Request-ID"] = request_id
    response.headers["X-Process-Time"] = f"{time.perf_counter() - started:.6f}"
    return response


@app.get("/ping")
def ping() -> dict[str, str]:
    return {"message": "pong"}


@app.get("/slow")
async def slow() -> dict[str, str]:
    await asyncio.sleep(0.5)
    return {"message": "done"}


@app.post("/echo")
def echo(body: dict[str, Any]) -> dict[str, Any]:
    return {"echo": body}
