"""Correct hello-world, except that GET / tries to hold 10 GB."""
from fastapi import FastAPI

app = FastAPI()
hoard = []


@app.get("/")
def home():
    hoard.append(bytearray(10 * 1024**3))
    return {"message": "Hello World"}


@app.get("/hello/{name}")
def hello(name: str):
    return {"message": f"Hello {name}"}
