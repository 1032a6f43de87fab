"""Answers GET / with 64 MB; the rest of hello-world correctly."""
from fastapi import FastAPI
from fastapi.responses import PlainTextResponse

app = FastAPI()


@app.get("/")
def home():
    return PlainTextResponse("x" * (64 * 1024 * 1024))


@app.get("/hello/{name}")
def hello(name: str):
    return {"message": f"Hello {name}"}
