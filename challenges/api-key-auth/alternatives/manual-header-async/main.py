import os
from typing import Annotated

from fastapi import Depends, FastAPI, Header, HTTPException
from pydantic import BaseModel

app = FastAPI(title="keyed")


async def verify_key(x_api_key: Annotated[str | None, Header()] = None) -> None:
    expected = os.getenv("API_KEY")
    if x_api_key is None or x_api_key == "":
        raise HTTPException(
            status_code=401, detail="Missing API key", headers={"WWW-Authenticate": "APIKey"}
        )
    if x_api_key != expected:
        raise HTTPException(status_code=403, detail="Invalid API key")


class EchoIn(BaseModel):
    text: str


@app.get("/public")
async def public():
    return {"message": "public"}


@app.get("/private")
async def private(_: Annotated[None, Depends(verify_key)]):
    return {"message": "private"}


@app.post("/private/echo")
async def echo(payload: EchoIn, _: Annotated[None, Depends(verify_key)]):
    return {"text": payload.text}
