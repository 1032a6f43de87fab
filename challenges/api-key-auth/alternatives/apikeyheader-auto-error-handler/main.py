"""APIKeyHeader with auto_error=True; its 401 is reworded by an exception handler."""

import os
import secrets

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

scheme = APIKeyHeader(name="X-API-Key")
app = FastAPI()


@app.exception_handler(StarletteHTTPException)
async def reword(request: Request, exc: StarletteHTTPException):
    detail = exc.detail
    if exc.status_code == 401:
        detail = "Missing API key"
    return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=exc.headers)


def key_ok(key: str = Depends(scheme)) -> str:
    if not secrets.compare_digest(key, os.environ["API_KEY"]):
        raise HTTPException(403, "Invalid API key")
    return key


class Echo(BaseModel):
    text: str


@app.get("/public")
def public():
    return {"message": "public"}


@app.get("/private")
def private(key: str = Depends(key_ok)):
    return {"message": "private"}


@app.post("/private/echo")
def echo(body: Echo, key: str = Depends(key_ok)):
    return {"text": body.text}
