"""PUT stamps created_at with the time of the update."""

import os
from collections.abc import Iterator
from contextlib import asynccontextmanager
from datetime import datetime, timezone
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Response, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import DateTime, Integer, String, Text, create_engine, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite:///./notes.db")

engine = create_engine(
    DATABASE_URL,
    connect_args={"check_same_thread": False} if DATABASE_URL.startswith("sqlite") else {},
)
SessionLocal = sessionmaker(bind=engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class Note(Base):
    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    content: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(
        DateTime, nullable=False, default=lambda: datetime.now(timezone.utc).replace(tzinfo=None)
    )


class NoteIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    content: str = ""


class NoteOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    content: str
    created_at: datetime


@asynccontextmanager
async def lifespan(app: FastAPI):
    Base.metadata.create_all(engine)
    yield
    engine.dispose()


app = FastAPI(lifespan=lifespan)


def get_session() -> Iterator[Session]:
    with SessionLocal() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def get_note_or_404(session: Session, note_id: int) -> Note:
    note = session.get(Note, note_id)
    if note is None:
        raise HTTPException(status_code=404, detail="Note not found")
    return note


@app.post("/notes", status_code=status.HTTP_201_CREATED, response_model=NoteOut)
def create_note(body: NoteIn, session: SessionDep) -> Note:
    note = Note(title=body.title, content=body.content)
    session.add(note)
    session.commit()
    session.refresh(note)
    return note


@app.get("/notes", response_model=list[NoteOut])
def list_notes(session: SessionDep, q: str | None = None) -> list[Note]:
    query = select(Note).order_by(Note.id)
    if q:
        query = query.where(func.lower(Note.title).contains(q.lower(), autoescape=True))
    return list(session.scalars(query))


@app.get("/notes/{note_id}", response_model=NoteOut)
def read_note(note_id: int, session: SessionDep) -> Note:
    return get_note_or_404(session, note_id)


@app.put("/notes/{note_id}", response_model=NoteOut)
def update_note(note_id: int, body: NoteIn, session: SessionDep) -> Note:
    note = get_note_or_404(session, note_id)
    note.title = body.title
    note.content = body.content
    note.created_at = datetime.now(timezone.utc).replace(tzinfo=None)  # "touch" the note
    session.commit()
    session.refresh(note)
    return note


@app.delete("/notes/{note_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_note(note_id: int, session: SessionDep) -> Response:
    note = get_note_or_404(session, note_id)
    session.delete(note)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
