"""Prints every environment variable it can find: its own, PID 1's, its parent's."""
import os

from fastapi import FastAPI

print(f"own={dict(os.environ)}", flush=True)
for pid in ("1", str(os.getppid()), "self"):
    try:
        with open(f"/proc/{pid}/environ", "rb") as f:
            print(f"environ[{pid}]={f.read().decode('latin-1')}", flush=True)
    except OSError as exc:
        print(f"environ[{pid}]: {exc!r}", flush=True)

app = FastAPI()


@app.get("/")
def home():
    return {"message": "Hello World"}
