"""Async, APIRouter, streaming the upload in chunks into the hash (stops early when too big),
and a pydantic model for the login form (`Annotated[Model, Form()]`)."""

import hashlib
from typing import Annotated

from fastapi import APIRouter, FastAPI, Form, HTTPException, UploadFile, status
from pydantic import BaseModel

MAX_SIZE = 64 * 1024
CHUNK = 8192
USERS = {"alice": "wonderland", "bob": "builder"}


class Digest(BaseModel):
    filename: str
    size: int
    sha256: str


class UploadResult(Digest):
    content_type: str
    title: str
    public: bool


class Batch(BaseModel):
    count: int
    total_size: int
    files: list[Digest]


class LoginForm(BaseModel):
    username: str
    password: str


async def digest(upload: UploadFile) -> Digest:
    hasher = hashlib.sha256()
    size = 0
    while chunk := await upload.read(CHUNK):
        size += len(chunk)
        if size > MAX_SIZE:
            raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, "File too large")
        hasher.update(chunk)
    return Digest(filename=upload.filename or "", size=size, sha256=hasher.hexdigest())


files_router = APIRouter(prefix="/files")


@files_router.post("", response_model=UploadResult)
async def single(
    file: UploadFile,
    title: Annotated[str, Form(min_length=1, max_length=100)],
    public: Annotated[bool, Form()] = False,
) -> UploadResult:
    d = await digest(file)
    if d.size == 0:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "Empty file")
    return UploadResult(**d.model_dump(), content_type=file.content_type or "", title=title, public=public)


@files_router.post("/batch", response_model=Batch)
async def batch(files: list[UploadFile]) -> Batch:
    digests = [await digest(f) for f in files]
    return Batch(count=len(digests), total_size=sum(d.size for d in digests), files=digests)


auth_router = APIRouter()


@auth_router.post("/login")
async def login(form: Annotated[LoginForm, Form()]):
    if USERS.get(form.username) != form.password:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Invalid username or password")
    return {"username": form.username, "message": f"Welcome, {form.username}!"}


app = FastAPI()
app.include_router(files_router)
app.include_router(auth_router)
