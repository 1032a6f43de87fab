"""SQLModel, tables created at import, an APIRouter with a prefix, ilike search."""
import os
from datetime import datetime, timezone
from typing import Optional

from fastapi import APIRouter, Depends, FastAPI, HTTPException
from sqlmodel import Field, Session, SQLModel, col, create_engine, select


class NoteBase(SQLModel):
    title: str = Field(min_length=1, max_length=200)
    content: str = ""


class Note(NoteBase, table=True):
    __tablename__ = "notes"
    id: Optional[int] = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=lambda: datetime.now(timezone.utc))


class NoteCreate(NoteBase):
    pass


class NoteRead(NoteBase):
    id: int
    created_at: datetime


engine = create_engine(os.environ["DATABASE_URL"], connect_args={"check_same_thread": False})
SQLModel.metadata.create_all(engine)


def session():
    with Session(engine) as s:
        yield s


router = APIRouter(prefix="/notes", tags=["notes"])


def load(s: Session, note_id: int) -> Note:
    note = s.get(Note, note_id)
    if not note:
        raise HTTPException(status_code=404, detail="Note not found")
    return note


@router.post("", status_code=201, response_model=NoteRead)
def create(data: NoteCreate, s: Session = Depends(session)):
    note = Note.model_validate(data)
    s.add(note)
    s.commit()
    s.refresh(note)
    return note


@router.get("", response_model=list[NoteRead])
def index(q: Optional[str] = None, s: Session = Depends(session)):
    stmt = select(Note)
    if q is not None:
        stmt = stmt.where(col(Note.title).ilike(f"%{q}%"))
    return s.exec(stmt.order_by(Note.id)).all()


@router.get("/{note_id}", response_model=NoteRead)
def show(note_id: int, s: Session = Depends(session)):
    return load(s, note_id)


@router.put("/{note_id}", response_model=NoteRead)
def replace(note_id: int, data: NoteCreate, s: Session = Depends(session)):
    note = load(s, note_id)
    note.sqlmodel_update(data.model_dump())
    s.add(note)
    s.commit()
    s.refresh(note)
    return note


@router.delete("/{note_id}", status_code=204)
def remove(note_id: int, s: Session = Depends(session)):
    s.delete(load(s, note_id))
    s.commit()


app = FastAPI()
app.include_router(router)
