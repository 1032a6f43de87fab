"""aiosqlite with async handlers, created_at from SQLite's CURRENT_TIMESTAMP
("YYYY-MM-DD HH:MM:SS", UTC), Annotated constraints, a lifespan-held connection."""
import os
from contextlib import asynccontextmanager
from typing import Annotated

import aiosqlite
from fastapi import FastAPI, HTTPException, Path, Query, Request, Response
from pydantic import BaseModel, Field


def sqlite_path(url: str) -> str:
    prefix = "sqlite:///"
    if not url.startswith(prefix):
        raise ValueError(f"unsupported DATABASE_URL {url!r}")
    return url[len(prefix):]


@asynccontextmanager
async def lifespan(app: FastAPI):
    db = await aiosqlite.connect(sqlite_path(os.environ["DATABASE_URL"]))
    db.row_factory = aiosqlite.Row
    await db.execute(
        """CREATE TABLE IF NOT EXISTS notes (
               id INTEGER PRIMARY KEY,
               title VARCHAR(200) NOT NULL,
               content TEXT NOT NULL DEFAULT '',
               created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)"""
    )
    await db.commit()
    app.state.db = db
    yield
    await db.close()


app = FastAPI(lifespan=lifespan)


class NoteBody(BaseModel):
    title: Annotated[str, Field(min_length=1, max_length=200)]
    content: Annotated[str, Field()] = ""


NoteId = Annotated[int, Path()]


async def one(db: aiosqlite.Connection, note_id: int) -> dict:
    async with db.execute("SELECT id, title, content, created_at FROM notes WHERE id = ?", (note_id,)) as cur:
        row = await cur.fetchone()
    if row is None:
        raise HTTPException(404, "Note not found")
    return dict(row)


@app.post("/notes", status_code=201)
async def post_note(body: NoteBody, request: Request):
    db = request.app.state.db
    cur = await db.execute("INSERT INTO notes (title, content) VALUES (?, ?)", (body.title, body.content))
    await db.commit()
    return await one(db, cur.lastrowid)


@app.get("/notes")
async def get_notes(request: Request, q: Annotated[str | None, Query(max_length=500)] = None):
    sql, args = "SELECT id, title, content, created_at FROM notes", ()
    if q is not None:
        sql, args = sql + " WHERE lower(title) LIKE ? ESCAPE '\\'", (
            "%" + q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%",
        )
    async with request.app.state.db.execute(sql + " ORDER BY id", args) as cur:
        return [dict(r) for r in await cur.fetchall()]


@app.get("/notes/{note_id}")
async def get_note(note_id: NoteId, request: Request):
    return await one(request.app.state.db, note_id)


@app.put("/notes/{note_id}")
async def put_note(note_id: NoteId, body: NoteBody, request: Request):
    db = request.app.state.db
    await one(db, note_id)
    await db.execute("UPDATE notes SET title = ?, content = ? WHERE id = ?", (body.title, body.content, note_id))
    await db.commit()
    return await one(db, note_id)


@app.delete("/notes/{note_id}", status_code=204, response_class=Response)
async def delete_note(note_id: NoteId, request: Request):
    db = request.app.state.db
    await one(db, note_id)
    await db.execute("DELETE FROM notes WHERE id = ?", (note_id,))
    await db.commit()
