from itertools import count
from typing import Annotated

from fastapi import FastAPI, HTTPException, Query, Response, status
from pydantic import BaseModel, Field

app = FastAPI(title="Items")


class ItemIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    description: str | None = None
    price: float = Field(gt=0)
    quantity: int = Field(default=0, ge=0)


class Item(ItemIn):
    id: int


items: dict[int, Item] = {}  # dicts keep insertion order: creation order
next_id = count(1)


def get_or_404(item_id: int) -> Item:
    item = items.get(item_id)
    if item is None:
        raise HTTPException(status_code=404, detail="Item not found")
    return item


@app.post("/items", status_code=status.HTTP_201_CREATED)
def create_item(data: ItemIn) -> Item:
    item = Item(id=len(items) + 1, **data.model_dump())
    items[item.id] = item
    return item


@app.get("/items")
def list_items(
    skip: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 100,
) -> list[Item]:
    return list(items.values())[skip : skip + limit]


@app.get("/items/{item_id}")
def read_item(item_id: int) -> Item:
    return get_or_404(item_id)


@app.put("/items/{item_id}")
def replace_item(item_id: int, data: ItemIn) -> Item:
    get_or_404(item_id)
    item = Item(id=item_id, **data.model_dump())
    items[item_id] = item
    return item


@app.delete("/items/{item_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_item(item_id: int) -> Response:
    get_or_404(item_id)
    del items[item_id]
    return Response(status_code=status.HTTP_204_NO_CONTENT)
