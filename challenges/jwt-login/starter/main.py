import os

from fastapi import FastAPI
from pydantic import BaseModel

SECRET_KEY = os.environ.get("SECRET_KEY", "")

app = FastAPI()


class UserIn(BaseModel):
    username: str
    password: str


@app.post("/register", status_code=201)
def register(user: UserIn):
    # TODO: store the user (password hashed!) and answer as the README says
    return {"username": user.username}


# TODO: POST /token (OAuth2 password form) and GET /users/me (Bearer token)
