from typing import Annotated

from fastapi import APIRouter, Path

router = APIRouter(tags=["greetings"])

GREETING = "Hello"


def greet(who: str) -> dict[str, str]:
    return {"message": f"{GREETING} {who}"}


@router.get("/")
async def hello_world() -> dict[str, str]:
    return greet("World")


@router.get("/hello/{name}")
async def hello_name(name: Annotated[str, Path(description="who to greet")]) -> dict[str, str]:
    return greet(name)
