import os

from fastapi import APIRouter, Depends, FastAPI, Request, status
from fastapi.exceptions import HTTPException
from pydantic import BaseModel

API_KEY = os.environ["API_KEY"]


class Unauthenticated(HTTPException):
    def __init__(self) -> None:
        super().__init__(
            status.HTTP_401_UNAUTHORIZED, "Missing API key", {"WWW-Authenticate": "APIKey"}
        )


def check_key(request: Request) -> None:
    sent = request.headers.get("X-API-Key")
    if not sent:
        raise Unauthenticated()
    if sent != API_KEY:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Invalid API key")


class Message(BaseModel):
    message: str


class Text(BaseModel):
    text: str


public_router = APIRouter()
private_router = APIRouter(prefix="/private", dependencies=[Depends(check_key)])


@public_router.get("/public", response_model=Message)
def public():
    return Message(message="public")


@private_router.get("", response_model=Message)
def private():
    return Message(message="private")


@private_router.post("/echo", response_model=Text)
def echo(body: Text):
    return Text(text=body.text)


app = FastAPI()
app.include_router(public_router)
app.include_router(private_router)
