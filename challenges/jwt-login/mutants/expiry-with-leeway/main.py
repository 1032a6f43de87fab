import os
from datetime import datetime, timedelta, timezone
from typing import Annotated

import bcrypt
import jwt
from fastapi import Depends, FastAPI, HTTPException, status
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm
from pydantic import BaseModel, Field

SECRET_KEY = os.environ["SECRET_KEY"]
ALGORITHM = "HS256"
ACCESS_TOKEN_MINUTES = 30

app = FastAPI()
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")

# username -> bcrypt hash
users: dict[str, bytes] = {}


class UserIn(BaseModel):
    username: str = Field(min_length=3, max_length=50)
    password: str = Field(min_length=8)


class UserOut(BaseModel):
    username: str


class Token(BaseModel):
    access_token: str
    token_type: str


def unauthorized(detail: str) -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail=detail,
        headers={"WWW-Authenticate": "Bearer"},
    )


@app.post("/register", status_code=status.HTTP_201_CREATED, response_model=UserOut)
def register(user: UserIn) -> UserOut:
    if user.username in users:
        raise HTTPException(status_code=status.HTTP_409_CONFLICT, detail="Username already registered")
    users[user.username] = bcrypt.hashpw(user.password.encode(), bcrypt.gensalt())
    return UserOut(username=user.username)


@app.post("/token", response_model=Token)
def login(form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> Token:
    hashed = users.get(form.username)
    if hashed is None or not bcrypt.checkpw(form.password.encode(), hashed):
        raise unauthorized("Incorrect username or password")
    expire = datetime.now(timezone.utc) + timedelta(minutes=ACCESS_TOKEN_MINUTES)
    token = jwt.encode({"sub": form.username, "exp": expire}, SECRET_KEY, algorithm=ALGORITHM)
    return Token(access_token=token, token_type="bearer")


def current_user(token: Annotated[str, Depends(oauth2_scheme)]) -> str:
    try:
        # tolerate clock skew between servers
        payload = jwt.decode(token, SECRET_KEY, algorithms=[ALGORITHM], leeway=timedelta(minutes=5))
    except jwt.InvalidTokenError:
        raise unauthorized("Could not validate credentials")
    username = payload.get("sub")
    if not isinstance(username, str) or username not in users:
        raise unauthorized("Could not validate credentials")
    return username


@app.get("/users/me", response_model=UserOut)
def read_me(username: Annotated[str, Depends(current_user)]) -> UserOut:
    return UserOut(username=username)
