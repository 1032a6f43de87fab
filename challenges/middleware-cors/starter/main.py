import asyncio
from typing import Any

from fastapi import FastAPI

app = FastAPI()

# TODO: a middleware that sets X-Request-ID and X-Process-Time on every response
# TODO: CORS for https://app.example.com (see the README)


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
