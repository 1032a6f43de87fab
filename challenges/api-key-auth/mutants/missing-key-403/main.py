import os

from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import APIKeyHeader
from pydantic import BaseModel

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)


def require_api_key(api_key: str | None = Depends(api_key_header)) -> str:
    if api_key is None:
        raise HTTPException(status_code=403, detail="Missing API key")
    if api_key != os.environ["API_KEY"]:
        raise HTTPException(status_code=403, detail="Invalid API key")
    return api_key


class Echo(BaseModel):
    text: str


app = FastAPI()


@app.get("/public")
def public():
    return {"message": "public"}


@app.get("/private")
def private(key: str = Depends(require_api_key)):
    return {"message": "private"}


@app.post("/private/echo")
def echo(body: Echo, key: str = Depends(require_api_key)):
    return {"text": body.text}
