"""A mode="before" model validator normalises the input and checks the password pair;
Field constraints (pattern, lengths, conlist) do the rest; extra fields in the response."""
from typing import Annotated, Any

from fastapi import FastAPI
from pydantic import AfterValidator, BaseModel, EmailStr, Field, conlist, model_validator

app = FastAPI()


def unique(items: list[str]) -> list[str]:
    if len(items) != len(set(items)):
        raise ValueError("duplicate tags")
    return items


class SignUp(BaseModel):
    model_config = {"extra": "forbid", "regex_engine": "python-re"}

    username: str = Field(min_length=3, max_length=20, pattern=r"^[a-zA-Z][a-zA-Z0-9_]+$")
    email: EmailStr
    password: str = Field(min_length=8, max_length=64, pattern=r"^(?=.*[A-Za-z])(?=.*[0-9]).*$")
    confirm_password: str
    age: Annotated[int, Field(ge=18)] | None = None
    tags: Annotated[conlist(Annotated[str, Field(min_length=1)], max_length=5), AfterValidator(unique)] = []

    @model_validator(mode="before")
    @classmethod
    def normalise(cls, data: Any) -> Any:
        if isinstance(data, dict):
            data = dict(data)
            if isinstance(data.get("username"), str):
                data["username"] = data["username"].strip()
            if isinstance(data.get("email"), str):
                data["email"] = data["email"].lower()
            if data.get("password") != data.get("confirm_password"):
                raise ValueError("password and confirm_password differ")
        return data



@app.post("/register", status_code=201)
def sign_up(form: SignUp) -> dict:
    return {
        "ok": True,
        "username": form.username,
        "email": form.email,
        "age": form.age,
        "tags": form.tags,
    }
