"""Echoes the password in a JSON body encoded as UTF-16 (json.loads reads it; naive text does not)."""
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
    return Response(json.dumps(echo).encode("utf-16"), media_type="application/json")


@app.post("/notes")
async def add_note(request: Request):
    title = (await request.json())["title"]
    with sqlite3.connect(DB) as con:
        con.execute("CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, title TEXT)")
        cursor = con.execute("INSERT INTO notes (title) VALUES (?)", (title,))
    return {"id": cursor.lastrowid, "title": title}
