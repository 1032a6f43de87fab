"""Dataclasses for storage, a class-based dependency holding the store, explicit responses."""

from dataclasses import asdict, dataclass, field
from typing import Annotated, Any

from fastapi import Body, Depends, FastAPI, Path, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field


class Payload(BaseModel):
    name: str = Field(..., min_length=1, max_length=100)
    description: str | None = Field(default=None)
    price: float = Field(..., gt=0)
    quantity: int = Field(default=0, ge=0)


@dataclass
class Item:
    id: int
    name: str
    price: float
    description: str | None = None
    quantity: int = 0


@dataclass
class Store:
    items: dict[int, Item] = field(default_factory=dict)
    counter: int = 0

    def new_id(self) -> int:
        self.counter += 1
        return self.counter


class StoreDependency:
    """Callable class: one Store shared by every request."""

    def __init__(self) -> None:
        self.store = Store()

    def __call__(self) -> Store:
        return self.store


get_store = StoreDependency()
StoreDep = Annotated[Store, Depends(get_store)]

app = FastAPI()

NOT_FOUND = {"detail": "Item not found"}


def not_found() -> JSONResponse:
    return JSONResponse(status_code=404, content=NOT_FOUND)


def as_json(item: Item, status_code: int = 200) -> JSONResponse:
    data: dict[str, Any] = asdict(item)
    return JSONResponse(status_code=status_code, content=data)


@app.post("/items")
def create(store: StoreDep, payload: Annotated[Payload, Body()]):
    item = Item(id=store.new_id(), **payload.model_dump())
    store.items[item.id] = item
    return as_json(item, 201)


@app.get("/items")
def index(
    store: StoreDep,
    skip: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 100,
):
    ordered = sorted(store.items.values(), key=lambda item: item.id)
    return [asdict(item) for item in ordered[skip : skip + limit]]


@app.get("/items/{item_id}")
def show(store: StoreDep, item_id: Annotated[int, Path()]):
    item = store.items.get(item_id)
    return as_json(item) if item else not_found()


@app.put("/items/{item_id}")
def replace(store: StoreDep, item_id: int, payload: Payload):
    if item_id not in store.items:
        return not_found()
    store.items[item_id] = Item(id=item_id, **payload.model_dump())
    return as_json(store.items[item_id])


@app.delete("/items/{item_id}")
def delete(store: StoreDep, item_id: int):
    if store.items.pop(item_id, None) is None:
        return not_found()
    return Response(status_code=204)
