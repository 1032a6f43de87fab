"""Parsing the form by hand with `await request.form()` and answering with JSONResponse."""

import hashlib

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.datastructures import UploadFile

app = FastAPI()

MAX_SIZE = 65536
ACCOUNTS = {"alice": "wonderland", "bob": "builder"}


def error(status: int, detail):
    return JSONResponse({"detail": detail}, status_code=status)


def invalid(message: str):
    return error(422, [{"loc": ["body"], "msg": message, "type": "value_error"}])


@app.post("/files")
async def upload(request: Request):
    form = await request.form()
    file = form.get("file")
    title = form.get("title")
    if not isinstance(file, UploadFile):
        return invalid("file is required")
    if not isinstance(title, str) or not 1 <= len(title) <= 100:
        return invalid("title must be 1 to 100 characters")
    public_raw = form.get("public", "false")
    if not isinstance(public_raw, str) or public_raw.lower() not in {"true", "false", "1", "0", "yes", "no", "on", "off"}:
        return invalid("public must be a boolean")
    data = await file.read()
    if len(data) > MAX_SIZE:
        return error(413, "File too large")
    if len(data) == 0:
        return error(400, "Empty file")
    return {
        "filename": file.filename,
        "content_type": file.content_type,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "title": title,
        "public": public_raw.lower() in {"true", "1", "yes", "on"},
    }


@app.post("/files/batch")
async def batch(request: Request):
    form = await request.form()
    uploads = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
    if not uploads:
        return invalid("files is required")
    out = []
    for f in uploads:
        data = await f.read()
        if len(data) > MAX_SIZE:
            return error(413, "File too large")
        out.append({"filename": f.filename, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()})
    return {"count": len(out), "total_size": sum(e["size"] for e in out), "files": out}


@app.post("/login")
async def login(request: Request):
    form = await request.form()
    username, password = form.get("username"), form.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        return invalid("username and password are required form fields")
    if ACCOUNTS.get(username) != password:
        return error(401, "Invalid username or password")
    return {"username": username, "message": f"Welcome, {username}!"}
