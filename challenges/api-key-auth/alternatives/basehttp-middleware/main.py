"""BaseHTTPMiddleware guarding every path under /private."""

import os

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.middleware.base import BaseHTTPMiddleware

PROTECTED_PREFIX = "/private"


class APIKeyGuard(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next):
        path = request.url.path
        if path == PROTECTED_PREFIX or path.startswith(PROTECTED_PREFIX + "/"):
            key = request.headers.get("x-api-key")
            if not key:
                return JSONResponse(
                    status_code=401,
                    content={"detail": "Missing API key"},
                    headers={"WWW-Authenticate": "APIKey"},
                )
            if key != os.environ["API_KEY"]:
                return JSONResponse(status_code=403, content={"detail": "Invalid API key"})
        return await call_next(request)


app = FastAPI()
app.add_middleware(APIKeyGuard)


class Payload(BaseModel):
    text: str


@app.get("/public")
def public_route():
    return {"message": "public"}


@app.get("/private")
def private_route():
    return {"message": "private"}


@app.post("/private/echo")
def echo_route(payload: Payload):
    return {"text": payload.text}
