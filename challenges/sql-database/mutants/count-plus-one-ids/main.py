"""Ids are COUNT(*) + 1 with INSERT OR REPLACE: after a delete, a new note replaces a live one."""

import os
import sqlite3
from contextlib import asynccontextmanager, closing
from datetime import datetime, timezone

from fastapi import FastAPI, HTTPException, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, constr

URL = os.environ["DATABASE_URL"]
if not URL.startswith("sqlite:///"):
    raise RuntimeError("only sqlite URLs are supported")
DB_FILE = URL[len("sqlite:///"):]

SCHEMA = """
CREATE TABLE IF NOT EXISTS notes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    content TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
)
"""


def connect() -> sqlite3.Connection:
    conn = sqlite3.connect(DB_FILE)
    conn.row_factory = sqlite3.Row
    return conn


@asynccontextmanager
async def lifespan(app):
    with closing(connect()) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(SCHEMA)
        conn.commit()
    yield


app = FastAPI(lifespan=lifespan)


class NotePayload(BaseModel):
    title: constr(min_length=1, max_length=200)
    content: str = ""


def row_to_note(row: sqlite3.Row) -> dict:
    return {"id": row["id"], "title": row["title"], "content": row["content"], "created_at": row["created_at"]}


def fetch_one(conn: sqlite3.Connection, note_id: int) -> dict:
    row = conn.execute("SELECT * FROM notes WHERE id = ?", (note_id,)).fetchone()
    if row is None:
        raise HTTPException(404, detail="Note not found")
    return row_to_note(row)


@app.post("/notes")
def create_note(payload: NotePayload):
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    with closing(connect()) as conn, conn:
        (count,) = conn.execute("SELECT COUNT(*) FROM notes").fetchone()
        new_id = count + 1
        # REPLACE so that a clash never fails the request
        conn.execute(
            "INSERT OR REPLACE INTO notes (id, title, content, created_at) VALUES (?, ?, ?, ?)",
            (new_id, payload.title, payload.content, stamp),
        )
        note = fetch_one(conn, new_id)
    return JSONResponse(note, status_code=201)


@app.get("/notes")
def list_notes(q: str = ""):
    with closing(connect()) as conn:
        rows = conn.execute(
            "SELECT * FROM notes WHERE instr(lower(title), lower(?)) > 0 ORDER BY id ASC", (q,)
        ).fetchall()
    return [row_to_note(r) for r in rows]


@app.get("/notes/{note_id}")
def get_note(note_id: int):
    with closing(connect()) as conn:
        return fetch_one(conn, note_id)


@app.put("/notes/{note_id}")
def put_note(note_id: int, payload: NotePayload):
    with closing(connect()) as conn, conn:
        cur = conn.execute(
            "UPDATE notes SET title = ?, content = ? WHERE id = ?", (payload.title, payload.content, note_id)
        )
        if cur.rowcount == 0:
            raise HTTPException(404, detail="Note not found")
        return fetch_one(conn, note_id)


@app.delete("/notes/{note_id}")
def delete_note(note_id: int):
    with closing(connect()) as conn, conn:
        cur = conn.execute("DELETE FROM notes WHERE id = ?", (note_id,))
        if cur.rowcount == 0:
            raise HTTPException(404, detail="Note not found")
    return Response(status_code=204)
