"""SQLAlchemy's asyncio API (create_async_engine + aiosqlite), async handlers, an APIRouter."""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Response
from pydantic import BaseModel, Field
from sqlalchemy import DateTime, String, Text, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

url = os.environ["DATABASE_URL"].replace("sqlite://", "sqlite+aiosqlite://", 1)
engine = create_async_engine(url)
sessions = async_sessionmaker(engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class Note(Base):
    __tablename__ = "notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class NoteBody(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    content: str = ""


def as_dict(note: Note) -> dict[str, object]:
    return {
        "id": note.id,
        "title": note.title,
        "content": note.content,
        "created_at": note.created_at.isoformat(),
    }


async def get_session() -> AsyncIterator[AsyncSession]:
    async with sessions() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]
router = APIRouter(prefix="/notes")


async def found(session: AsyncSession, note_id: int) -> Note:
    note = await session.get(Note, note_id)
    if note is None:
        raise HTTPException(404, "Note not found")
    return note


@router.post("", status_code=201)
async def create(body: NoteBody, session: SessionDep) -> dict[str, object]:
    note = Note(title=body.title, content=body.content, created_at=datetime.now(UTC))
    session.add(note)
    await session.commit()
    return as_dict(note)


@router.get("")
async def listing(session: SessionDep, q: str | None = None) -> list[dict[str, object]]:
    query = select(Note).order_by(Note.id)
    if q is not None:
        query = query.where(Note.title.icontains(q, autoescape=True))
    return [as_dict(n) for n in (await session.scalars(query)).all()]


@router.get("/{note_id}")
async def read(note_id: int, session: SessionDep) -> dict[str, object]:
    return as_dict(await found(session, note_id))


@router.put("/{note_id}")
async def replace(note_id: int, body: NoteBody, session: SessionDep) -> dict[str, object]:
    note = await found(session, note_id)
    note.title, note.content = body.title, body.content
    await session.commit()
    return as_dict(note)


@router.delete("/{note_id}", status_code=204)
async def delete(note_id: int, session: SessionDep) -> Response:
    await session.delete(await found(session, note_id))
    await session.commit()
    return Response(status_code=204)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    yield
    await engine.dispose()


app = FastAPI(lifespan=lifespan)
app.include_router(router)
