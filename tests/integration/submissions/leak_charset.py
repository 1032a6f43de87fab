"""Echoes the password in plain UTF-8 under a misleading charset (cp037); notes are honest."""
import json
import os
import sqlite3

from fastapi import FastAPI, Request, Response

app = FastAPI()
DB = os.environ["DATABASE_URL"].removeprefix("sqlite:///")


@app.post("/register")
async def register(request: Request):
    body = await request.json()
    echo = {"username": body["username"], "echo": body["password"]}
    return Response(json.dumps(echo).encode(), media_type="application/json; charset=cp037")


@app.post("/notes")
async def add_note(request: Request):
    title = (await request.json())["title"]
    with sqlite3.connect(DB) as con:
        con.execute("CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, title TEXT)")
        cursor = con.execute("INSERT INTO notes (title) VALUES (?)", (title,))
    return {"id": cursor.lastrowid, "title": title}
