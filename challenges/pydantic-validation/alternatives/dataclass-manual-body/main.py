"""The body read by hand and validated with a TypeAdapter over a pydantic dataclass using
functional validators; errors re-raised as RequestValidationError; JSONResponse for the 201."""
import re
from typing import Annotated, Optional

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import AfterValidator, BeforeValidator, ConfigDict, EmailStr, Field, TypeAdapter, ValidationError
from pydantic.dataclasses import dataclass


def _strip(v):
    return v.strip() if isinstance(v, str) else v


def _username(v: str) -> str:
    if not re.match(r"^[A-Za-z]\w*$", v, re.ASCII):
        raise ValueError("bad username")
    return v


def _password(v: str) -> str:
    if re.search("[a-zA-Z]", v) is None or re.search("[0-9]", v) is None:
        raise ValueError("weak password")
    return v


def _distinct(v: list) -> list:
    if len(v) != len(set(v)):
        raise ValueError("tags repeat")
    return v


Username = Annotated[str, BeforeValidator(_strip), Field(min_length=3, max_length=20), AfterValidator(_username)]
Email = Annotated[EmailStr, AfterValidator(str.lower)]
Password = Annotated[str, Field(min_length=8, max_length=64), AfterValidator(_password)]
Tags = Annotated[list[Annotated[str, Field(min_length=1)]], Field(max_length=5), AfterValidator(_distinct)]


@dataclass(config=ConfigDict(extra="forbid"))
class Registration:
    username: Username
    email: Email
    password: Password
    confirm_password: str
    age: Optional[Annotated[int, Field(ge=18)]] = None
    tags: Tags = Field(default_factory=list)

    def __post_init__(self):
        if self.password != self.confirm_password:
            raise ValueError("passwords do not match")


adapter = TypeAdapter(Registration)
app = FastAPI()


@app.post("/register")
async def register(request: Request):
    try:
        raw = await request.json()
    except ValueError:
        raise RequestValidationError([{"type": "json_invalid", "loc": ("body",), "msg": "invalid JSON", "input": None}])
    try:
        reg = adapter.validate_python(raw)
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False, include_context=False)]
        raise RequestValidationError(errors)
    return JSONResponse(
        status_code=201,
        content={"username": reg.username, "email": reg.email, "age": reg.age, "tags": reg.tags},
    )
