from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()


class UserIn(BaseModel):
    username: str
    email: str
    password: str
    full_name: str | None = None


USERS: dict[int, dict] = {}


@app.post("/users")
def create_user(user: UserIn):
    # TODO: validate, never return the password, answer 201 (see the README)
    user_id = len(USERS) + 1
    USERS[user_id] = {"id": user_id, **user.model_dump()}
    return USERS[user_id]


# TODO: GET /users/{user_id}, GET /users, DELETE /users/{user_id}
