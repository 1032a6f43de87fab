"""Ids are max(id) + 1: deleting the newest user frees its id for the next one."""

import hashlib
import secrets
from typing import Annotated

from fastapi import FastAPI, HTTPException, status
from pydantic import BaseModel, EmailStr, Field

app = FastAPI()


class UserIn(BaseModel):
    username: Annotated[str, Field(min_length=3, max_length=20)]
    email: EmailStr
    password: Annotated[str, Field(min_length=8)]
    full_name: str | None = None


class UserOut(BaseModel):
    id: int
    username: str
    email: str
    full_name: str | None = None


class UserInDB(UserOut):
    hashed_password: str


USERS: dict[int, UserInDB] = {}


def hash_password(password: str) -> str:
    salt = secrets.token_hex(8)
    return salt + "$" + hashlib.sha256((salt + password).encode()).hexdigest()


def find_user(user_id: int) -> UserInDB:
    user = USERS.get(user_id)
    if user is None:
        raise HTTPException(status_code=404, detail="User not found")
    return user


@app.post("/users", response_model=UserOut, response_model_exclude_none=True,
          status_code=status.HTTP_201_CREATED)
def create_user(user: UserIn):
    if any(u.username == user.username for u in USERS.values()):
        raise HTTPException(status_code=409, detail="Username already taken")
    stored = UserInDB(
        id=max(USERS, default=0) + 1,
        username=user.username,
        email=user.email,
        full_name=user.full_name,
        hashed_password=hash_password(user.password),
    )
    USERS[stored.id] = stored
    return stored


@app.get("/users", response_model=list[UserOut], response_model_exclude_none=True)
def list_users():
    return [USERS[user_id] for user_id in sorted(USERS)]


@app.get("/users/{user_id}", response_model=UserOut, response_model_exclude_none=True)
def get_user(user_id: int):
    return find_user(user_id)


@app.delete("/users/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_user(user_id: int) -> None:
    find_user(user_id)
    del USERS[user_id]
