"""sqlite3 with hand-written SQL: UNIQUE COLLATE NOCASE e-mails, aggregate queries for stats."""

import sqlite3
import threading
from contextlib import asynccontextmanager
from typing import Optional

from fastapi import FastAPI, HTTPException
from fastapi.responses import Response
from pydantic import BaseModel, EmailStr, Field

lock = threading.RLock()
db = sqlite3.connect(":memory:", check_same_thread=False)
db.row_factory = sqlite3.Row

SCHEMA = """
CREATE TABLE IF NOT EXISTS students (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE COLLATE NOCASE,
    age INTEGER NOT NULL,
    course TEXT NOT NULL
)
"""


@asynccontextmanager
async def lifespan(app):
    with lock:
        db.execute(SCHEMA)
        db.commit()
    yield


app = FastAPI(lifespan=lifespan)


class Create(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    email: EmailStr
    age: int = Field(ge=16, le=100)
    course: str = Field(min_length=1, max_length=50)


class Patch(BaseModel):
    name: Optional[str] = Field(None, min_length=1, max_length=100)
    email: Optional[EmailStr] = None
    age: Optional[int] = Field(None, ge=16, le=100)
    course: Optional[str] = Field(None, min_length=1, max_length=50)


def one(student_id: int) -> dict:
    row = db.execute("SELECT * FROM students WHERE id = ?", (student_id,)).fetchone()
    if row is None:
        raise HTTPException(404, "Student not found")
    return dict(row)


def conflict() -> HTTPException:
    return HTTPException(409, "Email already registered")


@app.post("/students", status_code=201)
def create(body: Create):
    with lock:
        try:
            cur = db.execute(
                "INSERT INTO students (name, email, age, course) VALUES (?, ?, ?, ?)",
                (body.name, body.email, body.age, body.course),
            )
        except sqlite3.IntegrityError:
            db.rollback()
            raise conflict() from None
        db.commit()
        return one(cur.lastrowid)


@app.get("/students")
def students(course: Optional[str] = None):
    with lock:
        if course is None:
            rows = db.execute("SELECT * FROM students ORDER BY id").fetchall()
        else:
            rows = db.execute("SELECT * FROM students WHERE course = ? ORDER BY id", (course,)).fetchall()
    return [dict(r) for r in rows]


@app.get("/students/stats")
def stats():
    with lock:
        total, average = db.execute("SELECT COUNT(*), AVG(age) FROM students").fetchone()
        groups = db.execute("SELECT course, COUNT(*) FROM students GROUP BY course").fetchall()
    return {"count": total, "average_age": average, "by_course": {c: n for c, n in groups}}


@app.get("/students/{student_id}")
def student(student_id: int):
    with lock:
        return one(student_id)


@app.patch("/students/{student_id}")
def patch(student_id: int, body: Patch):
    changes = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None}
    with lock:
        one(student_id)
        if changes:
            assignments = ", ".join(f"{column} = ?" for column in changes)
            try:
                db.execute(
                    f"UPDATE students SET {assignments} WHERE id = ?", (*changes.values(), student_id)
                )
            except sqlite3.IntegrityError:
                db.rollback()
                raise conflict() from None
            db.commit()
        return one(student_id)


@app.delete("/students/{student_id}")
def delete(student_id: int):
    with lock:
        one(student_id)
        db.execute("DELETE FROM students WHERE id = ?", (student_id,))
        db.commit()
    return Response(status_code=204)
