"""Duplicate tags are compared ignoring case: ["math", "Math"] is refused although the tags differ."""

import re
from typing import Annotated

from fastapi import FastAPI, status
from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

app = FastAPI()

Username = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=3, max_length=20, pattern=r"^[A-Za-z][A-Za-z0-9_]*$"
    ),
]
Tag = Annotated[str, StringConstraints(min_length=1)]


class Registration(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: Username
    email: EmailStr
    password: str = Field(min_length=8, max_length=64)
    confirm_password: str
    age: int | None = Field(default=None, ge=18)
    tags: list[Tag] = Field(default_factory=list, max_length=5)

    @field_validator("email")
    @classmethod
    def lower_email(cls, value: str) -> str:
        return value.lower()

    @field_validator("password")
    @classmethod
    def strong_password(cls, value: str) -> str:
        if not re.search(r"[A-Za-z]", value) or not re.search(r"[0-9]", value):
            raise ValueError("password must contain at least one letter and one digit")
        return value

    @field_validator("tags")
    @classmethod
    def distinct_tags(cls, value: list[str]) -> list[str]:
        if len({tag.lower() for tag in value}) != len(value):
            raise ValueError("tags must be distinct")
        return value

    @model_validator(mode="after")
    def passwords_match(self) -> "Registration":
        if self.password != self.confirm_password:
            raise ValueError("passwords do not match")
        return self


class Registered(BaseModel):
    username: str
    email: str
    age: int | None
    tags: list[str]


@app.post("/register", status_code=status.HTTP_201_CREATED, response_model=Registered)
def register(body: Registration) -> Registered:
    return Registered(username=body.username, email=body.email, age=body.age, tags=body.tags)
