"""PyJWT + pwdlib (argon2) + HTTPBearer(auto_error=False); the login form read with Form()
fields; RFC 6750 style `Bearer error="invalid_token"` challenges."""
import os
import time
from typing import Annotated

import jwt
from fastapi import Depends, FastAPI, Form, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pwdlib import PasswordHash
from pydantic import BaseModel, Field

app = FastAPI()
hasher = PasswordHash.recommended()
bearer = HTTPBearer(auto_error=False)
USERS: dict[str, str] = {}


def secret() -> str:
    return os.environ["SECRET_KEY"]


class Credentials(BaseModel):
    username: Annotated[str, Field(min_length=3, max_length=50)]
    password: Annotated[str, Field(min_length=8)]


def challenge(error: str | None = None) -> HTTPException:
    value = "Bearer" if error is None else f'Bearer error="{error}"'
    return HTTPException(401, detail="Unauthorized", headers={"WWW-Authenticate": value})


@app.post("/register", status_code=201)
def register(body: Credentials):
    if body.username in USERS:
        raise HTTPException(409, detail="already exists")
    USERS[body.username] = hasher.hash(body.password)
    return {"username": body.username}


@app.post("/token")
def token(username: Annotated[str, Form()], password: Annotated[str, Form()],
          grant_type: Annotated[str | None, Form()] = None):
    stored = USERS.get(username)
    if stored is None or not hasher.verify(password, stored):
        raise challenge()
    now = int(time.time())
    access = jwt.encode({"sub": username, "iat": now, "exp": now + 30 * 60}, secret(), algorithm="HS256")
    return {"access_token": access, "token_type": "bearer"}


def user_from_token(creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> str:
    if creds is None:
        raise challenge()
    try:
        claims = jwt.decode(creds.credentials, secret(), algorithms=["HS256"])
    except jwt.ExpiredSignatureError:
        raise challenge("invalid_token")
    except jwt.PyJWTError:
        raise challenge("invalid_token")
    sub = claims.get("sub")
    if sub not in USERS:
        raise challenge("invalid_token")
    return sub


@app.get("/users/me")
def users_me(username: Annotated[str, Depends(user_from_token)]):
    return {"username": username}
