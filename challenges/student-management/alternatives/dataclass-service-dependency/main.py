"""Dataclass records, a service class injected with Depends, explicit JSONResponse/Response."""

from collections import Counter
from dataclasses import asdict, dataclass, replace
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, EmailStr, conint, constr

Name = constr(min_length=1, max_length=100)
Course = constr(min_length=1, max_length=50)
Age = conint(ge=16, le=100)


class NewStudent(BaseModel):
    name: Name  # type: ignore[valid-type]
    email: EmailStr
    age: Age  # type: ignore[valid-type]
    course: Course  # type: ignore[valid-type]


class StudentChanges(BaseModel):
    name: Name | None = None  # type: ignore[valid-type]
    email: EmailStr | None = None
    age: Age | None = None  # type: ignore[valid-type]
    course: Course | None = None  # type: ignore[valid-type]


@dataclass(frozen=True)
class Student:
    id: int
    name: str
    email: str
    age: int
    course: str


class Conflict(Exception):
    pass


class StudentService:
    def __init__(self) -> None:
        self._rows: dict[int, Student] = {}
        self._next = 1

    def __call__(self) -> "StudentService":  # the instance is its own dependency
        return self

    def _taken(self, email: str, by_other_than: int | None = None) -> bool:
        return any(
            s.email.casefold() == email.casefold() and s.id != by_other_than
            for s in self._rows.values()
        )

    def add(self, data: NewStudent) -> Student:
        if self._taken(data.email):
            raise Conflict
        student = Student(id=self._next, **data.model_dump())
        self._next += 1
        self._rows[student.id] = student
        return student

    def all(self, course: str | None) -> list[Student]:
        return [s for s in self._rows.values() if course is None or s.course == course]

    def get(self, student_id: int) -> Student | None:
        return self._rows.get(student_id)

    def change(self, student: Student, changes: dict[str, Any]) -> Student:
        if "email" in changes and self._taken(changes["email"], by_other_than=student.id):
            raise Conflict
        self._rows[student.id] = replace(student, **changes)
        return self._rows[student.id]

    def delete(self, student_id: int) -> None:
        del self._rows[student_id]

    def stats(self) -> dict[str, Any]:
        rows = list(self._rows.values())
        average = round(sum(s.age for s in rows) / len(rows), 2) if rows else None
        return {
            "count": len(rows),
            "average_age": average,
            "by_course": dict(Counter(s.course for s in rows)),
        }


service = StudentService()
Service = Annotated[StudentService, Depends(service)]

app = FastAPI()


def missing() -> JSONResponse:
    return JSONResponse({"detail": "Student not found"}, status_code=404)


def conflict() -> JSONResponse:
    return JSONResponse({"detail": "Email already registered"}, status_code=409)


@app.post("/students")
def create(data: NewStudent, svc: Service):
    try:
        student = svc.add(data)
    except Conflict:
        return conflict()
    return JSONResponse(asdict(student), status_code=201)


@app.get("/students")
def index(svc: Service, course: Annotated[str | None, Query()] = None):
    return [asdict(s) for s in svc.all(course)]


@app.get("/students/stats")
def stats(svc: Service):
    return JSONResponse(svc.stats())


@app.get("/students/{student_id}")
def show(student_id: int, svc: Service):
    student = svc.get(student_id)
    return JSONResponse(asdict(student)) if student else missing()


@app.patch("/students/{student_id}")
def patch(student_id: int, data: StudentChanges, svc: Service):
    student = svc.get(student_id)
    if student is None:
        return missing()
    try:
        updated = svc.change(student, data.model_dump(exclude_unset=True, exclude_none=True))
    except Conflict:
        return conflict()
    return asdict(updated)


@app.delete("/students/{student_id}")
def delete(student_id: int, svc: Service):
    if svc.get(student_id) is None:
        return missing()
    svc.delete(student_id)
    return Response(status_code=204)
