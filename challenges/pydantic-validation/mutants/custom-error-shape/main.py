import re

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, ConfigDict

app = FastAPI()


class Registration(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str
    email: str
    password: str
    confirm_password: str
    age: int | None = None
    tags: list[str] = []


def invalid(message: str) -> HTTPException:
    return HTTPException(status_code=422, detail=message)


@app.post("/register", status_code=201)
def register(body: Registration):
    username = body.username.strip()
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{2,19}", username):
        raise invalid("invalid username")
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", body.email):
        raise invalid("invalid email")
    if not (8 <= len(body.password) <= 64) or not re.search(r"[A-Za-z]", body.password) or not re.search(r"\d", body.password):
        raise invalid("weak password")
    if body.password != body.confirm_password:
        raise invalid("passwords do not match")
    if body.age is not None and body.age < 18:
        raise invalid("too young")
    if len(body.tags) > 5 or len(set(body.tags)) != len(body.tags) or not all(body.tags):
        raise invalid("invalid tags")
    return {"username": username, "email": body.email.lower(), "age": body.age, "tags": body.tags}
