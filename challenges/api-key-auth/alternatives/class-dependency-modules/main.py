from typing import Annotated

from fastapi import Depends, FastAPI
from pydantic import BaseModel

from security import require_key


class EchoBody(BaseModel):
    text: str


app = FastAPI(title="api-key demo")


@app.get("/public")
async def public() -> dict[str, str]:
    return {"message": "public"}


@app.get("/private")
async def private(_key: Annotated[str, Depends(require_key)]) -> dict[str, str]:
    return {"message": "private"}


@app.post("/private/echo")
async def echo(body: EchoBody, _key: Annotated[str, Depends(require_key)]) -> EchoBody:
    return EchoBody(text=body.text)
