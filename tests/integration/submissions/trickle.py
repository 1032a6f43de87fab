"""GET / sends its body one byte a second, for ever; the rest of hello-world correctly."""
import asyncio

from fastapi import FastAPI
from fastapi.responses import StreamingResponse

app = FastAPI()


async def drip():
    while True:
        yield b" "
        await asyncio.sleep(1)


@app.get("/")
def home():
    return StreamingResponse(drip(), media_type="application/json")


@app.get("/hello/{name}")
def hello(name: str):
    return {"message": f"Hello {name}"}
