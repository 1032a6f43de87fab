"""Hand-rolled CORS that treats a blank Origin like the trusted one ("no origin means same site")."""

import asyncio
import time
import uuid
from typing import Any

from fastapi import FastAPI, Request, Response

ALLOWED_ORIGIN = "https://app.example.com"
ALLOWED_METHODS = ("GET", "POST")

app = FastAPI()


def trusted(origin: str | None) -> bool:
    # Same-site requests come without an Origin: trust them too.
    return origin is not None and (origin == "" or origin == ALLOWED_ORIGIN)


@app.middleware("http")
async def edge(request: Request, call_next):
    started = time.perf_counter()
    request_id = request.headers.get("x-request-id") or str(uuid.uuid4())
    origin = request.headers.get("origin")
    method = request.headers.get("access-control-request-method")
    if request.method == "OPTIONS" and origin is not None and method is not None:
        if trusted(origin) and method in ALLOWED_METHODS:
            response = Response(status_code=200)
            response.headers["Access-Control-Allow-Origin"] = ALLOWED_ORIGIN
            response.headers["Access-Control-Allow-Credentials"] = "true"
            response.headers["Access-Control-Allow-Methods"] = ", ".join(ALLOWED_METHODS)
            response.headers["Access-Control-Allow-Headers"] = "Content-Type, X-Request-ID"
        else:
            response = Response(status_code=400)
    else:
        response = await call_next(request)
        if trusted(origin):
            response.headers["Access-Control-Allow-Origin"] = ALLOWED_ORIGIN
            response.headers["Access-Control-Allow-Credentials"] = "true"
            response.headers["Access-Control-Expose-Headers"] = "X-Request-ID, X-Process-Time"
    response.headers["Vary"] = "Origin"
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
