import os

from fastapi import FastAPI
from pydantic import BaseModel

DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite:///./notes.db")

app = FastAPI()

# TODO: connect to DATABASE_URL, create the `notes` table at start-up, store notes there.
notes: list[dict] = []


class NoteIn(BaseModel):
    title: str
    content: str = ""


@app.post("/notes", status_code=201)
def create_note(body: NoteIn):
    note = {"id": len(notes) + 1, "title": body.title, "content": body.content}
    notes.append(note)
    return note


@app.get("/notes")
def list_notes():
    return notes
