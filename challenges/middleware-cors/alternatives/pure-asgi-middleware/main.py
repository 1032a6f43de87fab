import asyncio
import time
import uuid

from fastapi import Body, FastAPI
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware


class RequestIdTimingMiddleware:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter_ns()
        request_id = Headers(scope=scope).get("x-request-id") or str(uuid.uuid4())

        async def send_wrapper(message):
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.append("X-Request-ID", request_id)
                elapsed = (time.perf_counter_ns() - started) / 1e9
                headers.append("X-Process-Time", f"{elapsed:.9f}")
            await send(message)

        await self.app(scope, receive, send_wrapper)


app = FastAPI()
app.add_middleware(
    CORSMiddleware,
    allow_origins=["https://app.example.com"],
    allow_credentials=True,
    allow_methods=["GET", "POST"],
    allow_headers=["*"],
    expose_headers=["X-Request-ID", "X-Process-Time"],
)
app.add_middleware(RequestIdTimingMiddleware)


@app.get("/ping")
def ping():
    return {"message": "pong"}


@app.get("/slow")
async def slow():
    await asyncio.sleep(0.5)
    return {"message": "done"}


@app.post("/echo")
def echo(body: dict = Body(...)):
    return {"echo": body}
