"""Async APIRouter, schemas module, response_model, e-mails stored lower-cased with an index."""

from collections import Counter
from statistics import fmean

from fastapi import APIRouter, FastAPI, HTTPException, status

from schemas import StatsOut, StudentCreate, StudentOut, StudentUpdate

router = APIRouter(prefix="/students")

_db: dict[int, StudentOut] = {}
_by_email: dict[str, int] = {}
_seq = 0


def _find(student_id: int) -> StudentOut:
    try:
        return _db[student_id]
    except KeyError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Student not found") from None


def _conflict() -> HTTPException:
    return HTTPException(status.HTTP_409_CONFLICT, "Email already registered")


@router.post("", response_model=StudentOut, status_code=201)
async def register(body: StudentCreate):
    global _seq
    if body.email in _by_email:
        raise _conflict()
    _seq += 1
    student = StudentOut(id=_seq, **body.model_dump())
    _db[_seq] = student
    _by_email[student.email] = student.id
    return student


@router.get("", response_model=list[StudentOut])
async def browse(course: str | None = None):
    students = list(_db.values())
    if course is not None:
        students = [s for s in students if s.course == course]
    return students


@router.get("/stats", response_model=StatsOut)
async def statistics():
    ages = [s.age for s in _db.values()]
    return StatsOut(
        count=len(ages),
        average_age=fmean(ages) if ages else None,
        by_course=dict(Counter(s.course for s in _db.values())),
    )


@router.get("/{student_id}", response_model=StudentOut)
async def fetch(student_id: int):
    return _find(student_id)


@router.patch("/{student_id}", response_model=StudentOut)
async def amend(student_id: int, body: StudentUpdate):
    current = _find(student_id)
    changes = body.model_dump(exclude_unset=True, exclude_none=True)
    new_email = changes.get("email")
    if new_email is not None and _by_email.get(new_email, student_id) != student_id:
        raise _conflict()
    updated = current.model_copy(update=changes)
    del _by_email[current.email]
    _by_email[updated.email] = student_id
    _db[student_id] = updated
    return updated


@router.delete("/{student_id}", status_code=status.HTTP_204_NO_CONTENT)
async def remove(student_id: int):
    student = _find(student_id)
    del _db[student_id]
    del _by_email[student.email]


app = FastAPI(title="Student management")
app.include_router(router)
