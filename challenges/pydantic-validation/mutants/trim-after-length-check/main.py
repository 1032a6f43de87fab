import re
from typing import Optional

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, EmailStr, Field, ValidationInfo, field_validator

app = FastAPI()


class Registration(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)

    username: str = Field(min_length=3, max_length=20)
    email: EmailStr
    password: str = Field(min_length=8, max_length=64)
    confirm_password: str
    age: Optional[int] = Field(default=None, ge=18)
    tags: list[str] = Field(default_factory=list, max_length=5)

    @field_validator("username")
    @classmethod
    def strip_username(cls, value):
        return value.strip() if isinstance(value, str) else value

    @field_validator("username")
    @classmethod
    def username_pattern(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", value):
            raise ValueError("invalid username")
        return value

    @field_validator("email")
    @classmethod
    def lower_email(cls, value: str) -> str:
        return value.lower()

    @field_validator("password")
    @classmethod
    def strong_password(cls, value: str) -> str:
        if not re.search(r"[A-Za-z]", value) or not re.search(r"\d", value):
            raise ValueError("password needs a letter and a digit")
        return value

    @field_validator("confirm_password")
    @classmethod
    def passwords_match(cls, value: str, info: ValidationInfo) -> str:
        if value != info.data.get("password"):
            raise ValueError("passwords do not match")
        return value

    @field_validator("tags")
    @classmethod
    def tags_ok(cls, value: list[str]) -> list[str]:
        if any(not tag for tag in value):
            raise ValueError("empty tag")
        if len(set(value)) != len(value):
            raise ValueError("duplicate tag")
        return value


@app.post("/register", status_code=201)
def register(body: Registration):
    return {"username": body.username, "email": body.email, "age": body.age, "tags": body.tags}
