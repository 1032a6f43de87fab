"""Sync handlers; argon2 hashes in users.py; PyJWT and a callable-class dependency in
security.py; every authentication failure is one exception turned into a 401 by a handler."""

from typing import Annotated

from fastapi import Depends, FastAPI, Form, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from security import AuthError, CurrentUser, issue_token
from users import User, store

app = FastAPI()


@app.exception_handler(AuthError)
def auth_error(request: Request, exc: AuthError) -> JSONResponse:
    return JSONResponse({"detail": exc.detail}, status_code=401, headers={"WWW-Authenticate": "Bearer"})


class Registration(BaseModel):
    username: str = Field(min_length=3, max_length=50)
    password: str = Field(min_length=8)


@app.post("/register", status_code=201)
def register(body: Registration) -> dict[str, str]:
    if store.add(body.username, body.password) is None:
        raise HTTPException(409, "Username already registered")
    return {"username": body.username}


@app.post("/token")
def token(
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    grant_type: Annotated[str | None, Form()] = None,
) -> dict[str, str]:
    user = store.authenticate(username, password)
    if user is None:
        raise AuthError("Incorrect username or password")
    return {"access_token": issue_token(user.username), "token_type": "bearer"}


@app.get("/users/me")
def me(user: Annotated[User, Depends(CurrentUser())]) -> dict[str, str]:
    return {"username": user.username}
