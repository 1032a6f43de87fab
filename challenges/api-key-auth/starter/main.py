import os

from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()


class Echo(BaseModel):
    text: str


@app.get("/public")
def public():
    return {"message": "public"}


# TODO: protect these routes with the API key from os.environ["API_KEY"] (see the README)
@app.get("/private")
def private():
    return {"message": "private"}


@app.post("/private/echo")
def echo(body: Echo):
    return {"text": body.text}
