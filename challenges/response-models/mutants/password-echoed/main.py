# A common first attempt: one model for input and output, no response_model.
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, EmailStr, Field

app = FastAPI()


class User(BaseModel):
    username: str = Field(min_length=3, max_length=20)
    email: EmailStr
    password: str = Field(min_length=8)
    full_name: str | None = None


USERS: dict[int, dict] = {}
COUNTER = {"next": 1}


@app.post("/users", status_code=201)
def create_user(user: User):
    if any(u["username"] == user.username for u in USERS.values()):
        raise HTTPException(409, "Username already taken")
    user_id = COUNTER["next"]
    COUNTER["next"] += 1
    record = {"id": user_id, **user.model_dump(exclude_none=True)}
    USERS[user_id] = record
    return record


@app.get("/users")
def list_users():
    return [USERS[i] for i in sorted(USERS)]


@app.get("/users/{user_id}")
def get_user(user_id: int):
    if user_id not in USERS:
        raise HTTPException(404, "User not found")
    return USERS[user_id]


@app.delete("/users/{user_id}", status_code=204)
def delete_user(user_id: int):
    if user_id not in USERS:
        raise HTTPException(404, "User not found")
    del USERS[user_id]
