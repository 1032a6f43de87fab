"""GET / never answers in time; the rest of hello-world is correct."""
import asyncio

from fastapi import FastAPI

app = FastAPI()


@app.get("/")
async def home():
    await asyncio.sleep(3600)


@app.get("/hello/{name}")
def hello(name: str):
    return {"message": f"Hello {name}"}
