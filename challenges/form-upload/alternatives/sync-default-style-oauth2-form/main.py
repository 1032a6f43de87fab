"""Sync handlers reading UploadFile.file directly, default-value parameter style, a /tmp copy
of each upload, and OAuth2PasswordRequestForm for the login form."""

import hashlib
import shutil
import tempfile
from typing import List

from fastapi import Depends, FastAPI, File, Form, HTTPException, UploadFile
from fastapi.security import OAuth2PasswordRequestForm

app = FastAPI()

LIMIT = 65536
PASSWORDS = {"alice": "wonderland", "bob": "builder"}


def measure(upload: UploadFile):
    """Copy to /tmp, then hash from the copy: (size, sha256)."""
    with tempfile.TemporaryFile(dir="/tmp") as copy:
        shutil.copyfileobj(upload.file, copy)
        size = copy.tell()
        if size > LIMIT:
            raise HTTPException(413, "File too large")
        copy.seek(0)
        return size, hashlib.sha256(copy.read()).hexdigest()


@app.post("/files")
def upload_one(
    file: UploadFile = File(...),
    title: str = Form(..., min_length=1, max_length=100),
    public: bool = Form(False),
):
    size, digest = measure(file)
    if size == 0:
        raise HTTPException(400, "Empty file")
    return dict(filename=file.filename, content_type=file.content_type, size=size, sha256=digest,
                title=title, public=public)


@app.post("/files/batch")
def upload_many(files: List[UploadFile] = File(...)):
    entries = []
    for f in files:
        size, digest = measure(f)
        entries.append(dict(filename=f.filename, size=size, sha256=digest))
    return dict(files=entries, total_size=sum(e["size"] for e in entries), count=len(entries))


@app.post("/login")
def login(form: OAuth2PasswordRequestForm = Depends()):
    if form.username not in PASSWORDS or PASSWORDS[form.username] != form.password:
        raise HTTPException(status_code=401, detail="Invalid username or password")
    return {"username": form.username, "message": "Welcome, " + form.username + "!"}
