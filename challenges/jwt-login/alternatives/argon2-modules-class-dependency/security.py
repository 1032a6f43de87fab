"""Tokens and the class-based dependency that resolves the current user."""

import os
import time

import jwt
from fastapi import Request

from users import User, store

ALGORITHM = "HS256"
LIFETIME_SECONDS = 30 * 60


class AuthError(Exception):
    def __init__(self, detail: str) -> None:
        self.detail = detail


def issue_token(username: str) -> str:
    now = int(time.time())
    claims = {"sub": username, "iat": now, "exp": now + LIFETIME_SECONDS}
    return jwt.encode(claims, os.environ["SECRET_KEY"], algorithm=ALGORITHM)


class CurrentUser:
    """`Depends(CurrentUser())`: the user named by a valid bearer token, else AuthError."""

    def __init__(self, scheme: str = "Bearer") -> None:
        self.prefix = scheme + " "

    def __call__(self, request: Request) -> User:
        header = request.headers.get("authorization", "")
        if not header.startswith(self.prefix) or not header[len(self.prefix):]:
            raise AuthError("Not authenticated")
        try:
            claims = jwt.decode(
                header[len(self.prefix):],
                os.environ["SECRET_KEY"],
                algorithms=[ALGORITHM],
                options={"require": ["exp", "sub"]},
            )
        except jwt.PyJWTError:
            raise AuthError("Could not validate credentials") from None
        user = store.get(claims["sub"]) if isinstance(claims.get("sub"), str) else None
        if user is None:
            raise AuthError("Could not validate credentials")
        return user
