"""Reading and describing uploaded files, shared by the routes."""

import hashlib
from typing import BinaryIO

from fastapi import HTTPException

MAX_SIZE = 64 * 1024
CHUNK = 8192


def read_capped(stream: BinaryIO) -> bytes:
    """The stream's bytes; 413 as soon as more than MAX_SIZE have been read."""
    data = bytearray()
    while chunk := stream.read(CHUNK):
        data += chunk
        if len(data) > MAX_SIZE:
            raise HTTPException(status_code=413, detail="File too large")
    return bytes(data)


def describe(filename: str | None, data: bytes) -> dict:
    return {"filename": filename, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
