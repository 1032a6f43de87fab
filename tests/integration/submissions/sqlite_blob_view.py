"""Registers honestly; `notes` is a view whose one row holds a 400 MB blob (the suite reads it)."""
import os
import sqlite3

from fastapi import FastAPI, Request

app = FastAPI()
DB = os.environ["DATABASE_URL"].removeprefix("sqlite:///")


@app.post("/register")
async def register(request: Request):
    return {"username": (await request.json())["username"]}


@app.post("/notes")
async def add_note(request: Request):
    with sqlite3.connect(DB) as con:
        con.execute(
            "CREATE VIEW IF NOT EXISTS notes AS SELECT 1 AS id, zeroblob(400000000) AS title"
        )
    return {"id": 1, "title": (await request.json())["title"]}
