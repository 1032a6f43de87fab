import time
import uuid

from fastapi import FastAPI
from fastapi.middleware import Middleware
from fastapi.middleware.cors import CORSMiddleware
from pydantic import BaseModel
from starlette.middleware.base import BaseHTTPMiddleware


class RequestContextMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request, call_next):
        start = time.monotonic()
        rid = request.headers.get("X-Request-ID")
        if not rid:
            rid = str(uuid.uuid4())
        response = await call_next(request)
        response.headers["X-Request-ID"] = rid
        response.headers["X-Process-Time"] = str(time.monotonic() - start)
        return response


class Pong(BaseModel):
    message: str


# The first middleware in the list is the outermost.
app = FastAPI(
    middleware=[
        Middleware(RequestContextMiddleware),
        Middleware(
            CORSMiddleware,
            allow_origins=("https://app.example.com",),
            allow_credentials=True,
            allow_methods=("POST", "GET"),
            allow_headers=("x-request-id", "content-type"),
            expose_headers=("x-request-id", "x-process-time"),
            max_age=60,
        ),
    ]
)


@app.get("/ping", response_model=Pong)
async def ping():
    return Pong(message="pong")


@app.get("/slow", response_model=Pong)
def slow():
    time.sleep(0.5)
    return Pong(message="done")


@app.post("/echo")
async def echo(payload: dict):
    return {"echo": payload}
