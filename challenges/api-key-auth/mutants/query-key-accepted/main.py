import os

from fastapi import Depends, FastAPI, HTTPException, Security
from fastapi.security import APIKeyHeader, APIKeyQuery
from pydantic import BaseModel

header_scheme = APIKeyHeader(name="X-API-Key", auto_error=False)
query_scheme = APIKeyQuery(name="api_key", auto_error=False)


def require_api_key(
    from_header: str | None = Security(header_scheme),
    from_query: str | None = Security(query_scheme),
) -> str:
    api_key = from_header or from_query
    if not api_key:
        raise HTTPException(401, "Missing API key", headers={"WWW-Authenticate": "APIKey"})
    if api_key != os.environ["API_KEY"]:
        raise HTTPException(403, "Invalid API key")
    return api_key


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
