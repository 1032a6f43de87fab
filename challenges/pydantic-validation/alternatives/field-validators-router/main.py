"""Plain `str` fields, every rule a field_validator, the match check on confirm_password, async + APIRouter."""
import re
from typing import Optional

from fastapi import APIRouter, FastAPI
from pydantic import BaseModel, ValidationInfo, field_validator

USERNAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]{2,19}")
EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class RegisterIn(BaseModel, extra="forbid"):
    username: str
    email: str
    password: str
    confirm_password: str
    age: Optional[int] = None
    tags: list[str] = []

    @field_validator("username")
    @classmethod
    def check_username(cls, v: str) -> str:
        v = v.strip()
        if not USERNAME_RE.fullmatch(v):
            raise ValueError("username: 3-20 letters, digits or _, starting with a letter")
        return v

    @field_validator("email")
    @classmethod
    def check_email(cls, v: str) -> str:
        if not EMAIL_RE.fullmatch(v):
            raise ValueError("invalid email address")
        return v.lower()

    @field_validator("password")
    @classmethod
    def check_password(cls, v: str) -> str:
        if not 8 <= len(v) <= 64:
            raise ValueError("password must be 8-64 characters")
        if not any(c.isascii() and c.isalpha() for c in v) or not any(c.isdigit() for c in v):
            raise ValueError("password needs a letter and a digit")
        return v

    @field_validator("confirm_password")
    @classmethod
    def check_confirm(cls, v: str, info: ValidationInfo) -> str:
        if "password" in info.data and v != info.data["password"]:
            raise ValueError("passwords do not match")
        return v

    @field_validator("age")
    @classmethod
    def check_age(cls, v: Optional[int]) -> Optional[int]:
        if v is not None and v < 18:
            raise ValueError("must be at least 18")
        return v

    @field_validator("tags")
    @classmethod
    def check_tags(cls, v: list[str]) -> list[str]:
        if len(v) > 5:
            raise ValueError("at most 5 tags")
        if any(t == "" for t in v):
            raise ValueError("tags must be non-empty")
        if len(set(v)) < len(v):
            raise ValueError("tags must be distinct")
        return v


class RegisterOut(BaseModel):
    username: str
    email: str
    age: Optional[int]
    tags: list[str]


router = APIRouter()


@router.post("/register", status_code=201, response_model=RegisterOut)
async def register(payload: RegisterIn):
    return payload.model_dump(exclude={"password", "confirm_password"})


app = FastAPI()
app.include_router(router)
