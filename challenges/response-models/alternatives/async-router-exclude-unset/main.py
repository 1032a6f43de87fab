"""Async handlers on an APIRouter; the public model is built only from the fields a user has,
and `response_model_exclude_unset` drops the rest. Delete returns a bare Response(204)."""

from typing import Annotated

from fastapi import APIRouter, FastAPI, HTTPException, Response
from pydantic import BaseModel, EmailStr, StringConstraints

Username = Annotated[str, StringConstraints(min_length=3, max_length=20)]
Password = Annotated[str, StringConstraints(min_length=8)]


class SignUp(BaseModel):
    username: Username
    email: EmailStr
    password: Password
    full_name: str | None = None


class PublicUser(BaseModel):
    id: int
    username: str
    email: EmailStr
    full_name: str | None = None


class Registry:
    def __init__(self) -> None:
        self.records: dict[int, dict] = {}
        self.last_id = 0

    def add(self, data: SignUp) -> dict:
        self.last_id += 1
        record = data.model_dump()
        record["id"] = self.last_id
        record["password"] = "sha1-pretend:" + data.password[::-1]  # stored, never returned
        self.records[self.last_id] = record
        return record


registry = Registry()
router = APIRouter(prefix="/users", tags=["users"])


def public(record: dict) -> PublicUser:
    fields = {k: record[k] for k in ("id", "username", "email", "full_name") if record[k] is not None}
    return PublicUser(**fields)


def lookup(user_id: int) -> dict:
    try:
        return registry.records[user_id]
    except KeyError:
        raise HTTPException(404, detail="User not found") from None


@router.post("", status_code=201, response_model=PublicUser, response_model_exclude_unset=True)
async def sign_up(payload: SignUp) -> PublicUser:
    if payload.username in {r["username"] for r in registry.records.values()}:
        raise HTTPException(409, detail="Username already taken")
    return public(registry.add(payload))


@router.get("", response_model=list[PublicUser], response_model_exclude_unset=True)
async def all_users() -> list[PublicUser]:
    return [public(r) for _, r in sorted(registry.records.items())]


@router.get("/{user_id}", response_model=PublicUser, response_model_exclude_unset=True)
async def one_user(user_id: int) -> PublicUser:
    return public(lookup(user_id))


@router.delete("/{user_id}")
async def remove_user(user_id: int) -> Response:
    lookup(user_id)
    registry.records.pop(user_id)
    return Response(status_code=204)


app = FastAPI()
app.include_router(router)
