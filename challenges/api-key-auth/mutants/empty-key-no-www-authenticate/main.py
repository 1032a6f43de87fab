import os

from fastapi import Depends, FastAPI, Header, HTTPException
from pydantic import BaseModel


def require_api_key(x_api_key: str | None = Header(default=None)) -> str:
    if x_api_key is None:
        raise HTTPException(401, "Missing API key", headers={"WWW-Authenticate": "APIKey"})
    if x_api_key == "":
        raise HTTPException(401, "Missing API key")
    if x_api_key != os.environ["API_KEY"]:
        raise HTTPException(403, "Invalid API key")
    return x_api_key


class Echo(BaseModel):
    text: str


app = FastAPI()


@app.get("/public")
def public():
    return {"message": "public"}


@app.get("/private", dependencies=[Depends(require_api_key)])
def private():
    return {"message": "private"}


@app.post("/private/echo", dependencies=[Depends(require_api_key)])
def echo(body: Echo):
    return {"text": body.text}
