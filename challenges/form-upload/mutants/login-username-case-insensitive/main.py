import hashlib
from typing import Annotated

from fastapi import FastAPI, File, Form, HTTPException, UploadFile

app = FastAPI()

MAX_SIZE = 65536
ACCOUNTS = {"alice": "wonderland", "bob": "builder"}


async def read_limited(upload: UploadFile) -> bytes:
    data = await upload.read()
    if len(data) > MAX_SIZE:
        raise HTTPException(status_code=413, detail="File too large")
    return data


@app.post("/files")
async def upload_file(
    file: Annotated[UploadFile, File()],
    title: Annotated[str, Form(min_length=1, max_length=100)],
    public: Annotated[bool, Form()] = False,
):
    data = await read_limited(file)
    if not data:
        raise HTTPException(status_code=400, detail="Empty file")
    return {
        "filename": file.filename,
        "content_type": file.content_type,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "title": title,
        "public": public,
    }


@app.post("/files/batch")
async def upload_batch(files: Annotated[list[UploadFile], File()]):
    described = []
    for upload in files:
        data = await read_limited(upload)
        described.append(
            {"filename": upload.filename, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        )
    return {"count": len(described), "total_size": sum(f["size"] for f in described), "files": described}


@app.post("/login")
def login(username: Annotated[str, Form()], password: Annotated[str, Form()]):
    username = username.strip().lower()
    if ACCOUNTS.get(username) != password:
        raise HTTPException(status_code=401, detail="Invalid username or password")
    return {"username": username, "message": f"Welcome, {username}!"}
