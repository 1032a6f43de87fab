"""Kills its parent and PID 1, then serves only GET / (worth 40 of hello-world's 100)."""
import os
import signal

for pid in (os.getppid(), 1):
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError as exc:
        print(f"kill {pid}: {exc!r}", flush=True)

from fastapi import FastAPI  # noqa: E402

app = FastAPI()


@app.get("/")
def home():
    return {"message": "Hello World"}
