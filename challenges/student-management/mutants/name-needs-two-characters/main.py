"""A name needs at least 2 characters instead of 1."""

from itertools import count
from typing import Annotated

from fastapi import FastAPI, HTTPException, Response, status
from pydantic import BaseModel, EmailStr, Field

app = FastAPI(title="Students")

Name = Annotated[str, Field(min_length=2, max_length=100)]
Age = Annotated[int, Field(ge=16, le=100)]
Course = Annotated[str, Field(min_length=1, max_length=50)]


class StudentIn(BaseModel):
    name: Name
    email: EmailStr
    age: Age
    course: Course


class StudentPatch(BaseModel):
    name: Name | None = None
    email: EmailStr | None = None
    age: Age | None = None
    course: Course | None = None


class Student(StudentIn):
    id: int


class Stats(BaseModel):
    count: int
    average_age: float | None
    by_course: dict[str, int]


students: dict[int, Student] = {}
next_id = count(1)


def get_or_404(student_id: int) -> Student:
    student = students.get(student_id)
    if student is None:
        raise HTTPException(status_code=404, detail="Student not found")
    return student


def ensure_email_free(email: str, owner_id: int | None = None) -> None:
    wanted = email.lower()
    for student in students.values():
        if student.email.lower() == wanted and student.id != owner_id:
            raise HTTPException(status_code=409, detail="Email already registered")


@app.post("/students", status_code=status.HTTP_201_CREATED)
def create_student(data: StudentIn) -> Student:
    ensure_email_free(data.email)
    student = Student(id=next(next_id), **data.model_dump())
    students[student.id] = student
    return student


@app.get("/students")
def list_students(course: str | None = None) -> list[Student]:
    return [s for s in students.values() if course is None or s.course == course]


@app.get("/students/stats")  # declared before /students/{student_id}
def stats() -> Stats:
    ages = [s.age for s in students.values()]
    by_course: dict[str, int] = {}
    for s in students.values():
        by_course[s.course] = by_course.get(s.course, 0) + 1
    return Stats(
        count=len(ages),
        average_age=sum(ages) / len(ages) if ages else None,
        by_course=by_course,
    )


@app.get("/students/{student_id}")
def read_student(student_id: int) -> Student:
    return get_or_404(student_id)


@app.patch("/students/{student_id}")
def update_student(student_id: int, data: StudentPatch) -> Student:
    student = get_or_404(student_id)
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    if "email" in changes:
        ensure_email_free(changes["email"], owner_id=student_id)
    updated = Student.model_validate({**student.model_dump(), **changes})
    students[student_id] = updated
    return updated


@app.delete("/students/{student_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_student(student_id: int) -> Response:
    get_or_404(student_id)
    del students[student_id]
    return Response(status_code=status.HTTP_204_NO_CONTENT)
