import os

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

app = FastAPI()


@app.middleware("http")
async def api_key_guard(request: Request, call_next):
    key = request.headers.get("x-api-key")
    if key is not None and key != "" and key != os.environ["API_KEY"]:
        return JSONResponse({"detail": "Invalid API key"}, status_code=403)
    if request.url.path.startswith("/private") and not key:
        return JSONResponse(
            {"detail": "Missing API key"}, status_code=401, headers={"WWW-Authenticate": "APIKey"}
        )
    return await call_next(request)


class Echo(BaseModel):
    text: str


@app.get("/public")
def public():
    return {"message": "public"}


@app.get("/private")
def private():
    return {"message": "private"}


@app.post("/private/echo")
def echo(body: Echo):
    return {"text": body.text}
