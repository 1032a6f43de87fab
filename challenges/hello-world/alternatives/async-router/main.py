from fastapi import APIRouter, FastAPI
from pydantic import BaseModel


class Greeting(BaseModel):
    message: str


router = APIRouter()


@router.get("/", response_model=Greeting)
async def root() -> Greeting:
    return Greeting(message="Hello World")


@router.get("/hello/{name}", response_model=Greeting)
async def greet(name: str) -> Greeting:
    return Greeting(message="Hello " + name)


app = FastAPI(title="greeter")
app.include_router(router)
