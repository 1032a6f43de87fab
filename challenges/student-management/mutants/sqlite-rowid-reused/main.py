"""SQLite without AUTOINCREMENT: deleting the newest student lets the next one take its id."""

from collections.abc import Iterator
from contextlib import asynccontextmanager
from typing import Annotated, Optional

from fastapi import Depends, FastAPI, HTTPException, Response, status
from pydantic import BaseModel, ConfigDict, EmailStr, Field
from sqlalchemy import Index, String, create_engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

engine = create_engine("sqlite:////tmp/students.db", connect_args={"check_same_thread": False})
SessionLocal = sessionmaker(engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class StudentRow(Base):
    __tablename__ = "students"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(320))
    age: Mapped[int]
    course: Mapped[str] = mapped_column(String(50), index=True)


Index("uq_students_email_ci", func.lower(StudentRow.email), unique=True)


class StudentCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    email: EmailStr
    age: int = Field(ge=16, le=100)
    course: str = Field(min_length=1, max_length=50)


class StudentPatch(BaseModel):
    name: Optional[str] = Field(default=None, min_length=1, max_length=100)
    email: Optional[EmailStr] = None
    age: Optional[int] = Field(default=None, ge=16, le=100)
    course: Optional[str] = Field(default=None, min_length=1, max_length=50)


class StudentRead(StudentCreate):
    model_config = ConfigDict(from_attributes=True)
    id: int


class StatsRead(BaseModel):
    count: int
    average_age: Optional[float]
    by_course: dict[str, int]


@asynccontextmanager
async def lifespan(_: FastAPI):
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    yield


app = FastAPI(lifespan=lifespan)


def session() -> Iterator[Session]:
    with SessionLocal() as db:
        yield db


DB = Annotated[Session, Depends(session)]
EMAIL_TAKEN = HTTPException(status.HTTP_409_CONFLICT, detail="Email already registered")


def row_or_404(db: Session, student_id: int) -> StudentRow:
    row = db.get(StudentRow, student_id)
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="Student not found")
    return row


def commit_or_409(db: Session) -> None:
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        raise EMAIL_TAKEN from None


@app.post("/students", response_model=StudentRead, status_code=status.HTTP_201_CREATED)
def create_student(payload: StudentCreate, db: DB):
    row = StudentRow(**payload.model_dump())
    db.add(row)
    commit_or_409(db)
    return row


@app.get("/students", response_model=list[StudentRead])
def list_students(db: DB, course: Optional[str] = None):
    query = select(StudentRow).order_by(StudentRow.id)
    if course is not None:
        query = query.where(StudentRow.course == course)
    return db.scalars(query).all()


@app.get("/students/stats", response_model=StatsRead)
def student_stats(db: DB):
    count, average = db.execute(select(func.count(StudentRow.id), func.avg(StudentRow.age))).one()
    groups = db.execute(
        select(StudentRow.course, func.count(StudentRow.id)).group_by(StudentRow.course)
    ).all()
    return StatsRead(count=count, average_age=average, by_course={c: n for c, n in groups})


@app.get("/students/{student_id}", response_model=StudentRead)
def get_student(student_id: int, db: DB):
    return row_or_404(db, student_id)


@app.patch("/students/{student_id}", response_model=StudentRead)
def patch_student(student_id: int, payload: StudentPatch, db: DB):
    row = row_or_404(db, student_id)
    for field, value in payload.model_dump(exclude_unset=True).items():
        if value is not None:
            setattr(row, field, value)
    commit_or_409(db)
    db.refresh(row)
    return row


@app.delete("/students/{student_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_student(student_id: int, db: DB):
    db.delete(row_or_404(db, student_id))
    db.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
