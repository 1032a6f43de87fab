"""CORS and request stamping written by hand in one pure ASGI middleware (no CORSMiddleware)."""

import asyncio
import time
from typing import Any
from uuid import uuid4

from fastapi import FastAPI

ORIGIN = "https://app.example.com"
METHODS = {"GET", "POST"}
REQUEST_HEADERS = {"content-type", "x-request-id", "accept", "accept-language", "content-language"}


class EdgeMiddleware:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        t0 = time.perf_counter()
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        request_id = headers.get("x-request-id") or str(uuid4())
        origin = headers.get("origin")

        def stamp(extra):
            extra.append((b"x-request-id", request_id.encode("latin-1")))
            extra.append((b"x-process-time", repr(time.perf_counter() - t0).encode()))
            return extra

        if scope["method"] == "OPTIONS" and origin and "access-control-request-method" in headers:
            wanted_method = headers["access-control-request-method"]
            wanted_headers = {
                h.strip().lower()
                for h in headers.get("access-control-request-headers", "").split(",")
                if h.strip()
            }
            ok = origin == ORIGIN and wanted_method in METHODS and wanted_headers <= REQUEST_HEADERS
            out = [(b"vary", b"Origin"), (b"content-length", b"0")]
            if ok:
                out += [
                    (b"access-control-allow-origin", ORIGIN.encode()),
                    (b"access-control-allow-credentials", b"true"),
                    (b"access-control-allow-methods", b"GET,POST"),
                    (b"access-control-allow-headers", b"Content-Type,X-Request-ID"),
                    (b"access-control-max-age", b"300"),
                ]
            await send(
                {"type": "http.response.start", "status": 200 if ok else 403, "headers": stamp(out)}
            )
            await send({"type": "http.response.body", "body": b""})
            return

        async def wrapped(message):
            if message["type"] == "http.response.start":
                extra = [(b"vary", b"Origin")]
                if origin == ORIGIN:
                    extra += [
                        (b"access-control-allow-origin", ORIGIN.encode()),
                        (b"access-control-allow-credentials", b"true"),
                        (b"access-control-expose-headers", b"X-Request-ID,X-Process-Time"),
                    ]
                message = {**message, "headers": [*message.get("headers", []), *stamp(extra)]}
            await send(message)

        await self.app(scope, receive, wrapped)


api = FastAPI()


@api.get("/ping")
async def ping():
    return {"message": "pong"}


@api.get("/slow")
async def slow():
    await asyncio.sleep(0.5)
    return {"message": "done"}


@api.post("/echo")
async def echo(body: dict[str, Any]):
    return {"echo": body}


api.add_middleware(EdgeMiddleware)
app = api
