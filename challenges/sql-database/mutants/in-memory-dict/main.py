from datetime import datetime, timezone

from fastapi import FastAPI, HTTPException, Response
from pydantic import BaseModel, Field

app = FastAPI()
notes: dict[int, dict] = {}
next_id = 1


class NoteIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    content: str = ""


def find(note_id: int) -> dict:
    if note_id not in notes:
        raise HTTPException(404, "Note not found")
    return notes[note_id]


@app.post("/notes", status_code=201)
def create(body: NoteIn):
    global next_id
    note = {"id": next_id, **body.model_dump(), "created_at": datetime.now(timezone.utc).isoformat()}
    notes[next_id] = note
    next_id += 1
    return note


@app.get("/notes")
def list_all(q: str | None = None):
    result = sorted(notes.values(), key=lambda n: n["id"])
    if q:
        result = [n for n in result if q.lower() in n["title"].lower()]
    return result


@app.get("/notes/{note_id}")
def read(note_id: int):
    return find(note_id)


@app.put("/notes/{note_id}")
def update(note_id: int, body: NoteIn):
    note = find(note_id)
    note.update(body.model_dump())
    return note


@app.delete("/notes/{note_id}", status_code=204)
def delete(note_id: int):
    find(note_id)
    del notes[note_id]
    return Response(status_code=204)
