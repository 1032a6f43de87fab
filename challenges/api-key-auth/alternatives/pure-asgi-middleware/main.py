"""The key is checked by a pure ASGI middleware in front of the /private routes."""

import json
import os

from fastapi import FastAPI
from pydantic import BaseModel


class ApiKeyMiddleware:
    def __init__(self, app, protected_prefix: str) -> None:
        self.app = app
        self.prefix = protected_prefix

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "")
        if scope["type"] != "http" or not (path == self.prefix or path.startswith(self.prefix + "/")):
            await self.app(scope, receive, send)
            return
        sent = None
        for name, value in scope["headers"]:
            if name.lower() == b"x-api-key":
                sent = value.decode("latin-1")
                break
        if not sent:
            await self._reject(send, 401, "Missing API key", [(b"www-authenticate", b"APIKey")])
            return
        if sent != os.environ["API_KEY"]:
            await self._reject(send, 403, "Invalid API key", [])
            return
        await self.app(scope, receive, send)

    @staticmethod
    async def _reject(send, status, detail, extra):
        body = json.dumps({"detail": detail}).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            *extra,
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


app = FastAPI()
app.add_middleware(ApiKeyMiddleware, protected_prefix="/private")


class Echo(BaseModel):
    text: str


@app.get("/public")
def public():
    return {"message": "public"}


@app.get("/private")
def private():
    return {"message": "private"}


@app.post("/private/echo")
def echo(body: Echo):
    return {"text": body.text}
