import os
import uuid
from pathlib import Path

from fastapi import FastAPI

app = FastAPI()
BOOT = uuid.uuid4().hex
COUNTER = Path("/data/counter.txt")


@app.get("/")
def home():
    return {"message": "Hello World"}


@app.post("/counter")
def increment():
    value = (int(COUNTER.read_text()) if COUNTER.exists() else 0) + 1
    COUNTER.write_text(str(value))
    return {"value": value}


@app.get("/counter")
def read_counter():
    return {"value": int(COUNTER.read_text()) if COUNTER.exists() else 0}


@app.get("/boot")
def boot():
    return {"boot": BOOT}


@app.get("/env/{name}")
def env(name: str):
    return {"value": os.environ.get(name)}
