"""GET / answers 512 MB of zeros compressed to about half a megabyte (`ENCODING`: gzip or
deflate); the rest of hello-world correctly."""
import zlib

from fastapi import FastAPI, Response

app = FastAPI()


def bomb(wbits: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    zeros = bytes(1 << 20)
    return b"".join(packer.compress(zeros) for _ in range(512)) + packer.flush()


ENCODING = "gzip"
BOMB = bomb(31 if ENCODING == "gzip" else 15)


@app.get("/")
def home():
    headers = {"Content-Encoding": ENCODING}
    return Response(BOMB, media_type="application/json", headers=headers)


@app.get("/hello/{name}")
def hello(name: str):
    return {"message": f"Hello {name}"}
