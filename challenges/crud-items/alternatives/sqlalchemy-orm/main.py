"""SQLAlchemy 2 ORM on a SQLite file under /tmp (emptied at start-up), session per request.

(Not an in-memory database on one shared StaticPool connection: the session dependency's
teardown runs after the response is sent, so it could race the next request on that connection.)
"""

from collections.abc import Iterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Query, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Float, Integer, String, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

engine = create_engine("sqlite:////tmp/items.db", connect_args={"check_same_thread": False})
SessionLocal = sessionmaker(bind=engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class ItemRow(Base):
    __tablename__ = "items"
    __table_args__ = {"sqlite_autoincrement": True}  # never reuse ids

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String, nullable=True)
    price: Mapped[float] = mapped_column(Float)
    quantity: Mapped[int] = mapped_column(Integer, default=0)


class ItemIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    description: str | None = None
    price: float = Field(gt=0)
    quantity: int = Field(0, ge=0)


class ItemOut(ItemIn):
    model_config = ConfigDict(from_attributes=True)
    id: int


@asynccontextmanager
async def lifespan(app: FastAPI):
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    yield
    engine.dispose()


app = FastAPI(lifespan=lifespan)


def get_db() -> Iterator[Session]:
    with SessionLocal() as session:
        yield session


DB = Annotated[Session, Depends(get_db)]


def load(db: Session, item_id: int) -> ItemRow:
    row = db.get(ItemRow, item_id)
    if row is None:
        raise HTTPException(status_code=404, detail="Item not found")
    return row


@app.post("/items", response_model=ItemOut, status_code=status.HTTP_201_CREATED)
def create_item(body: ItemIn, db: DB):
    row = ItemRow(**body.model_dump())
    db.add(row)
    db.commit()
    db.refresh(row)
    return row


@app.get("/items", response_model=list[ItemOut])
def list_items(db: DB, skip: int = Query(default=0, ge=0), limit: int = Query(default=100, ge=1, le=100)):
    return db.scalars(select(ItemRow).order_by(ItemRow.id).offset(skip).limit(limit)).all()


@app.get("/items/{item_id}", response_model=ItemOut)
def get_item(item_id: int, db: DB):
    return load(db, item_id)


@app.put("/items/{item_id}", response_model=ItemOut)
def put_item(item_id: int, body: ItemIn, db: DB):
    row = load(db, item_id)
    for key, value in body.model_dump().items():
        setattr(row, key, value)
    db.commit()
    db.refresh(row)
    return row


@app.delete("/items/{item_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_item(item_id: int, db: DB) -> None:
    db.delete(load(db, item_id))
    db.commit()
