"""Reusable Annotated types with AfterValidators, strict age, an async handler returning a dict."""

import re
from typing import Annotated, Optional

from fastapi import FastAPI
from pydantic import AfterValidator, BaseModel, EmailStr, Field, Strict, model_validator

USERNAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]{2,19}")


def check_username(value: str) -> str:
    value = value.strip()
    if not USERNAME_RE.fullmatch(value):
        raise ValueError(
            "username: 3-20 characters, ASCII letters, digits or _, starting with a letter"
        )
    return value


def check_password(value: str) -> str:
    if not 8 <= len(value) <= 64:
        raise ValueError("password must be 8 to 64 characters")
    if not any("a" <= c.lower() <= "z" for c in value):
        raise ValueError("password needs an ASCII letter")
    if not any(c in "0123456789" for c in value):
        raise ValueError("password needs a digit")
    return value


def check_tags(value: list[str]) -> list[str]:
    if len(value) > 5:
        raise ValueError("at most 5 tags")
    if any(tag == "" for tag in value):
        raise ValueError("tags must not be empty")
    seen: set[str] = set()
    for tag in value:
        if tag in seen:
            raise ValueError(f"duplicate tag {tag!r}")
        seen.add(tag)
    return value


Username = Annotated[str, AfterValidator(check_username)]
Email = Annotated[EmailStr, AfterValidator(lambda e: e.lower())]
Password = Annotated[str, AfterValidator(check_password)]
Age = Annotated[int, Strict(), Field(ge=18)]
Tags = Annotated[list[str], AfterValidator(check_tags)]


class SignUp(BaseModel, extra="forbid"):
    username: Username
    email: Email
    password: Password
    confirm_password: str
    age: Optional[Age] = None
    tags: Tags = []

    @model_validator(mode="after")
    def same_passwords(self):
        if self.confirm_password != self.password:
            raise ValueError("confirm_password does not match password")
        return self


app = FastAPI()


@app.post("/register", status_code=201)
async def register(form: SignUp) -> dict:
    return form.model_dump(include={"username", "email", "age", "tags"})
