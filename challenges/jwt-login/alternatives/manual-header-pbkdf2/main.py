"""No fastapi.security at all: the Authorization header and the form parsed by hand, a custom
exception + handler for 401s, PBKDF2 from hashlib for passwords, PyJWT with a datetime exp."""
import base64
import hashlib
import hmac
import os
import secrets
from datetime import datetime, timedelta, timezone

import jwt
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, field_validator

app = FastAPI()
accounts: dict[str, tuple[bytes, bytes]] = {}


class NotAuthenticated(Exception):
    def __init__(self, detail: str) -> None:
        self.detail = detail


@app.exception_handler(NotAuthenticated)
async def not_authenticated(request: Request, exc: NotAuthenticated) -> JSONResponse:
    return JSONResponse({"detail": exc.detail}, status_code=401, headers={"www-authenticate": "Bearer"})


def hash_password(password: str, salt: bytes | None = None) -> tuple[bytes, bytes]:
    salt = salt or secrets.token_bytes(16)
    return salt, hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 200_000)


class Signup(BaseModel):
    username: str
    password: str

    @field_validator("username")
    @classmethod
    def username_length(cls, v: str) -> str:
        if not 3 <= len(v) <= 50:
            raise ValueError("username must have 3 to 50 characters")
        return v

    @field_validator("password")
    @classmethod
    def password_length(cls, v: str) -> str:
        if len(v) < 8:
            raise ValueError("password must have at least 8 characters")
        return v


@app.post("/register", status_code=201)
async def register(signup: Signup):
    if signup.username in accounts:
        return JSONResponse({"detail": "username already registered"}, status_code=409)
    accounts[signup.username] = hash_password(signup.password)
    return {"username": signup.username}


@app.post("/token")
async def issue_token(request: Request):
    form = await request.form()
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    record = accounts.get(username)
    if record is None:
        raise NotAuthenticated("bad credentials")
    salt, digest = record
    if not hmac.compare_digest(hash_password(password, salt)[1], digest):
        raise NotAuthenticated("bad credentials")
    exp = datetime.now(timezone.utc) + timedelta(minutes=30)
    token = jwt.encode({"sub": username, "exp": exp}, os.environ["SECRET_KEY"], algorithm="HS256")
    return {"access_token": token, "token_type": "Bearer"}


@app.get("/users/me")
async def who_am_i(request: Request):
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated("Not authenticated")
    try:
        claims = jwt.decode(token.strip(), os.environ["SECRET_KEY"], algorithms=["HS256"])
    except jwt.InvalidTokenError as exc:
        raise NotAuthenticated(f"invalid token: {exc}")
    if claims.get("sub") not in accounts:
        raise NotAuthenticated("unknown user")
    return {"username": claims["sub"]}
