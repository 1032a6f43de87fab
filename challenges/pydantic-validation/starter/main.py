from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()


class Registration(BaseModel):
    # TODO: add every field and rule described in the README
    username: str
    email: str
    password: str


@app.post("/register")
def register(body: Registration):
    # TODO: answer 201 with the fields described in the README (never the password)
    return {"username": body.username}
