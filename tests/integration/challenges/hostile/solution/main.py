import os
import sqlite3

from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()
DB = os.environ["DATABASE_URL"].removeprefix("sqlite:///")


class Credentials(BaseModel):
    username: str
    password: str


class Note(BaseModel):
    title: str


def connect() -> sqlite3.Connection:
    con = sqlite3.connect(DB)
    con.execute("CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, title TEXT)")
    return con


@app.post("/register")
def register(body: Credentials):
    return {"username": body.username}


@app.post("/notes")
def add_note(body: Note):
    with connect() as con:
        cursor = con.execute("INSERT INTO notes (title) VALUES (?)", (body.title,))
    return {"id": cursor.lastrowid, "title": body.title}
