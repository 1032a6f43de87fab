import hmac
import os

from fastapi import Depends, FastAPI, HTTPException, Security, status
from fastapi.security import APIKeyHeader
from pydantic import BaseModel

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)


def require_api_key(api_key: str | None = Security(api_key_header)) -> str:
    if not api_key:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Missing API key",
        )
    if not hmac.compare_digest(api_key.encode(), os.environ["API_KEY"].encode()):
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail="Invalid API key")
    return api_key


class Echo(BaseModel):
    text: str


app = FastAPI()


@app.get("/public")
def public() -> dict[str, str]:
    return {"message": "public"}


@app.get("/private", dependencies=[Depends(require_api_key)])
def private() -> dict[str, str]:
    return {"message": "private"}


@app.post("/private/echo", dependencies=[Depends(require_api_key)])
def echo(body: Echo) -> Echo:
    return body
