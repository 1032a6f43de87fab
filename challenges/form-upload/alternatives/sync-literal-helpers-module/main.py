"""Plain `def` handlers reading UploadFile.file synchronously; `public` is a Literal of the two
accepted texts; helpers in uploads.py."""

from typing import Annotated, Literal

from fastapi import FastAPI, File, Form, HTTPException, UploadFile

from uploads import describe, read_capped

app = FastAPI()

USERS = {"alice": "wonderland", "bob": "builder"}


@app.post("/files")
def one_file(
    file: Annotated[UploadFile, File()],
    title: Annotated[str, Form(min_length=1, max_length=100)],
    public: Annotated[Literal["true", "false"], Form()] = "false",
):
    data = read_capped(file.file)
    if len(data) == 0:
        raise HTTPException(status_code=400, detail="Empty file")
    info = describe(file.filename, data)
    info.update(content_type=file.content_type, title=title, public=public == "true")
    return info


@app.post("/files/batch")
def many_files(files: Annotated[list[UploadFile], File()]):
    entries = [describe(f.filename, read_capped(f.file)) for f in files]
    return {
        "count": len(entries),
        "total_size": sum(e["size"] for e in entries),
        "files": entries,
    }


@app.post("/login")
def login(username: Annotated[str, Form()], password: Annotated[str, Form()]):
    if username not in USERS or USERS[username] != password:
        raise HTTPException(status_code=401, detail="Invalid username or password")
    return {"username": username, "message": f"Welcome, {username}!"}
