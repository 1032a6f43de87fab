"""Writes a 1 GB file, then serves a correct hello-world app (reporting how far it got)."""
from fastapi import FastAPI

written_mb = 0
try:
    with open("/tmp/big", "wb") as f:
        for _ in range(1024):
            f.write(b"\0" * (1024 * 1024))
            f.flush()
            written_mb += 1
except OSError as exc:
    print(f"write stopped after {written_mb} MB: {exc!r}", flush=True)
else:
    print(f"WROTE THE WHOLE GIGABYTE ({written_mb} MB)", flush=True)

app = FastAPI()


@app.get("/")
def home():
    return {"message": "Hello World"}


@app.get("/hello/{name}")
def hello(name: str):
    return {"message": f"Hello {name}"}
