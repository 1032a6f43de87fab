"""Sync handlers, plain dicts, responses built by hand with JSONResponse / Response."""

import hashlib
from typing import Optional

from fastapi import Body, FastAPI
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, EmailStr, Field

app = FastAPI()


class NewUser(BaseModel):
    username: str = Field(..., min_length=3, max_length=20)
    email: EmailStr = Field(...)
    password: str = Field(..., min_length=8)
    full_name: Optional[str] = Field(None)


db = {"users": [], "seq": 0}


def to_public(row):
    out = {"id": row["id"], "username": row["username"], "email": row["email"]}
    if row.get("full_name") is not None:
        out["full_name"] = row["full_name"]
    return out


def not_found():
    return JSONResponse({"detail": "User not found"}, status_code=404)


def find(user_id):
    return next((row for row in db["users"] if row["id"] == user_id), None)


@app.post("/users")
def create(new: NewUser = Body(...)):
    if any(row["username"] == new.username for row in db["users"]):
        return JSONResponse(status_code=409, content={"detail": "Username already taken"})
    db["seq"] += 1
    row = {
        "id": db["seq"],
        "username": new.username,
        "email": str(new.email),
        "full_name": new.full_name,
        "password_hash": hashlib.sha256(new.password.encode()).hexdigest(),
    }
    db["users"].append(row)
    return JSONResponse(status_code=201, content=to_public(row))


@app.get("/users")
def index():
    return [to_public(row) for row in sorted(db["users"], key=lambda r: r["id"])]


@app.get("/users/{user_id}")
def show(user_id: int):
    row = find(user_id)
    return to_public(row) if row else not_found()


@app.delete("/users/{user_id}")
def destroy(user_id: int):
    row = find(user_id)
    if row is None:
        return not_found()
    db["users"].remove(row)
    return Response(status_code=204)
