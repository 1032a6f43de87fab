"""Echoes the password as JSON \\u escapes: no byte of the body spells it."""
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
    escaped = "".join(f"\\u{ord(c):04x}" for c in echo["echo"])
    text = json.dumps({"username": echo["username"], "echo": "ECHO"}).replace("ECHO", escaped)
    return Response(text.encode(), media_type="application/json")


@app.post("/notes")
async def add_note(request: Request):
    title = (await request.json())["title"]
    with sqlite3.connect(DB) as con:
        con.execute("CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, title TEXT)")
        cursor = con.execute("INSERT INTO notes (title) VALUES (?)", (title,))
    return {"id": cursor.lastrowid, "title": title}
