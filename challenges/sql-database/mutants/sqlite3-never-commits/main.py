import os
import sqlite3
import threading
from datetime import datetime, timezone

from fastapi import FastAPI, HTTPException, Response
from pydantic import BaseModel, Field

PATH = os.environ["DATABASE_URL"].removeprefix("sqlite:///")
# One shared connection; the author forgot conn.commit(): the app sees its own writes, the
# file never gets them.
conn = sqlite3.connect(PATH, check_same_thread=False)
conn.row_factory = sqlite3.Row
lock = threading.Lock()
conn.execute(
    "CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT NOT NULL, "
    "content TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL)"
)

app = FastAPI()


class NoteIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    content: str = ""


def fetch(note_id: int) -> dict:
    with lock:
        row = conn.execute("SELECT * FROM notes WHERE id = ?", (note_id,)).fetchone()
    if row is None:
        raise HTTPException(404, "Note not found")
    return dict(row)


@app.post("/notes", status_code=201)
def create(body: NoteIn):
    with lock:
        cur = conn.execute(
            "INSERT INTO notes (title, content, created_at) VALUES (?, ?, ?)",
            (body.title, body.content, datetime.now(timezone.utc).isoformat()),
        )
    return fetch(cur.lastrowid)


@app.get("/notes")
def list_all(q: str | None = None):
    with lock:
        if q:
            rows = conn.execute(
                "SELECT * FROM notes WHERE lower(title) LIKE '%' || lower(?) || '%' ORDER BY id", (q,)
            ).fetchall()
        else:
            rows = conn.execute("SELECT * FROM notes ORDER BY id").fetchall()
    return [dict(r) for r in rows]


@app.get("/notes/{note_id}")
def read(note_id: int):
    return fetch(note_id)


@app.put("/notes/{note_id}")
def update(note_id: int, body: NoteIn):
    fetch(note_id)
    with lock:
        conn.execute("UPDATE notes SET title = ?, content = ? WHERE id = ?", (body.title, body.content, note_id))
    return fetch(note_id)


@app.delete("/notes/{note_id}", status_code=204)
def delete(note_id: int):
    fetch(note_id)
    with lock:
        conn.execute("DELETE FROM notes WHERE id = ?", (note_id,))
    return Response(status_code=204)
