"""The sqlite3 module with hand-written SQL, a database file under /tmp made fresh at start-up."""

import os
import sqlite3
import threading
from contextlib import asynccontextmanager

from fastapi import FastAPI, HTTPException, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

DB_PATH = "/tmp/items.sqlite3"
lock = threading.Lock()
conn: sqlite3.Connection | None = None

COLUMNS = "id, name, description, price, quantity"


@asynccontextmanager
async def lifespan(app):
    global conn
    if os.path.exists(DB_PATH):
        os.remove(DB_PATH)
    conn = sqlite3.connect(DB_PATH, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute(
        "CREATE TABLE items (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL,"
        " description TEXT, price REAL NOT NULL, quantity INTEGER NOT NULL DEFAULT 0)"
    )
    conn.commit()
    yield
    conn.close()


app = FastAPI(lifespan=lifespan)


class ItemBody(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    description: str | None = None
    price: float = Field(gt=0)
    quantity: int = Field(default=0, ge=0)


def fetch(item_id: int) -> dict | None:
    row = conn.execute(f"SELECT {COLUMNS} FROM items WHERE id = ?", (item_id,)).fetchone()
    return dict(row) if row else None


def missing():
    raise HTTPException(404, detail="Item not found")


@app.post("/items")
def create(body: ItemBody):
    with lock:
        cur = conn.execute(
            "INSERT INTO items (name, description, price, quantity) VALUES (?, ?, ?, ?)",
            (body.name, body.description, body.price, body.quantity),
        )
        conn.commit()
        item = fetch(cur.lastrowid)
    return JSONResponse(item, status_code=201)


@app.get("/items")
def listing(skip: int = Query(0, ge=0), limit: int = Query(100, ge=1, le=100)):
    with lock:
        rows = conn.execute(
            f"SELECT {COLUMNS} FROM items ORDER BY id LIMIT ? OFFSET ?", (limit, skip)
        ).fetchall()
    return [dict(r) for r in rows]


@app.get("/items/{item_id}")
def detail(item_id: int):
    with lock:
        item = fetch(item_id)
    return item or missing()


@app.put("/items/{item_id}")
def replace(item_id: int, body: ItemBody):
    with lock:
        cur = conn.execute(
            "UPDATE items SET name = ?, description = ?, price = ?, quantity = ? WHERE id = ?",
            (body.name, body.description, body.price, body.quantity, item_id),
        )
        conn.commit()
        if cur.rowcount == 0:
            missing()
        return fetch(item_id)


@app.delete("/items/{item_id}")
def remove(item_id: int):
    with lock:
        cur = conn.execute("DELETE FROM items WHERE id = ?", (item_id,))
        conn.commit()
    if cur.rowcount == 0:
        missing()
    return Response(status_code=204)
